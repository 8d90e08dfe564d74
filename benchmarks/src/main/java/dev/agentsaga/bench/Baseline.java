package dev.agentsaga.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.UUID;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

import dev.agentsaga.store.jdbc.SqlDialect;

/**
 * The physical floor, in plain JDBC on the same pool as the engine: each statement borrows a
 * connection, prepares, executes in auto-commit (one commit), and gives the connection back; the same
 * steps JdbcTemplate takes for the engine, without the engine.
 */
final class Baseline {

    private static final String INSERT_STEP = "INSERT INTO " + BenchDatabase.PLAIN_STEP
            + " (saga_id, seq, payload, created_at) VALUES (?, ?, ?, ?)";

    private static final String INSERT_INSTANCE = "INSERT INTO " + BenchDatabase.PLAIN_INSTANCE
            + " (id, status, input, created_at, updated_at) VALUES (?, 'RUNNING', ?, ?, ?)";

    private static final String FINISH_INSTANCE = "UPDATE " + BenchDatabase.PLAIN_INSTANCE
            + " SET status = 'COMPLETED', output = ?, updated_at = ? WHERE id = ?";

    private static final String OWNER = "bench-plain-owner";

    private final DataSource ds;

    /** The dialect the engine finds for {@link #ds}: its SQL text and its timestamp values. */
    private final SqlDialect sql;

    /** The engine's own journal INSERT (fenced by the saga's lease), from its dialect. */
    private final ParsedSql engineStep;

    /** The same statement with its lease check but without the row lock the check takes (a diagnostic). */
    private final ParsedSql engineStepNoLock;

    Baseline(DataSource ds) {
        this.ds = ds;
        this.sql = SqlDialect.forDataSource(ds, BenchDatabase.PREFIX);
        this.engineStep = NamedParameterUtils.parseSqlStatement(sql.insertStep());
        this.engineStepNoLock = NamedParameterUtils.parseSqlStatement(
                sql.insertStep().replace(" FOR SHARE)", ")").replace(" LOCK IN SHARE MODE)", ")"));
    }

    /** The value of a timestamp column for now, as the engine binds it. */
    private Object now() {
        return sql.timestamp(Instant.now());
    }

    /** An instance row leased to the plain-JDBC "engine", for {@link #engineStepInsert}. */
    String leasedInstance() throws SQLException {
        String id = "plain-" + UUID.randomUUID();
        Instant now = Instant.now();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO "
                + BenchDatabase.INSTANCE + " (id, workflow, workflow_version, status, input, cancel_requested, owner, "
                + "lease_epoch, lease_expires_at, created_at, updated_at) VALUES (?, 'plain', '1', 'RUNNING', ?, FALSE, "
                + "?, 1, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, Workloads.ITEM_JSON);
            ps.setString(3, OWNER);
            ps.setObject(4, sql.timestamp(now.plusSeconds(600)));
            ps.setObject(5, sql.timestamp(now));
            ps.setObject(6, sql.timestamp(now));
            ps.executeUpdate();
        }
        return id;
    }

    /**
     * The statement the engine commits for a COMPENSABLE step, run in plain JDBC: its SQL text and
     * parameter types, without the engine around it.
     */
    void engineStepInsert(String sagaId, int seq) throws SQLException {
        engineStepInsert(engineStep, sagaId, seq);
    }

    /** {@link #engineStepInsert} without {@code FOR SHARE} ({@code LOCK IN SHARE MODE}) on the saga's row. */
    void engineStepInsertWithoutLock(String sagaId, int seq) throws SQLException {
        engineStepInsert(engineStepNoLock, sagaId, seq);
    }

    private void engineStepInsert(ParsedSql statement, String sagaId, int seq) throws SQLException {
        Object now = now();
        MapSqlParameterSource params = new MapSqlParameterSource("sagaId", sagaId).addValue("seq", seq)
                .addValue("name", "noop").addValue("kind", "ACTION")
                .addValue("reversibility", "COMPENSABLE", Types.VARCHAR).addValue("status", "SUCCEEDED")
                .addValue("input", Workloads.ITEM_JSON, Types.VARCHAR)
                .addValue("output", Workloads.ITEM_JSON, Types.VARCHAR).addValue("error", null, Types.VARCHAR)
                .addValue("attempts", 1).addValue("startedAt", now, sql.timestampType())
                .addValue("finishedAt", now, sql.timestampType()).addValue("resolution", null, Types.VARCHAR)
                .addValue("note", null, Types.VARCHAR).addValue("owner", OWNER).addValue("epoch", 1L)
                // the columns of journaled model calls, empty for an action
                .addValue("fingerprint", null, Types.VARCHAR).addValue("inputTokens", null, Types.INTEGER)
                .addValue("outputTokens", null, Types.INTEGER);
        String sql = NamedParameterUtils.substituteNamedParameters(statement, params);
        @Nullable Object[] values = NamedParameterUtils.buildValueArray(statement, params, null);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] instanceof SqlParameterValue typed) {
                    if (typed.getValue() == null) {
                        ps.setNull(i + 1, typed.getSqlType());
                    }
                    else {
                        ps.setObject(i + 1, typed.getValue(), typed.getSqlType());
                    }
                }
                else {
                    ps.setObject(i + 1, values[i]);
                }
            }
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("the fenced INSERT wrote nothing");
            }
        }
    }

    /** One single-row INSERT of a small text payload, committed. */
    void insertStep(String sagaId, int seq) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_STEP)) {
            ps.setString(1, sagaId);
            ps.setInt(2, seq);
            ps.setString(3, Workloads.ITEM_JSON);
            ps.setObject(4, now());
            ps.executeUpdate();
        }
    }

    /** A "workflow" of {@code steps} single-row INSERT commits. */
    void stepsOnly(int steps) throws SQLException {
        String id = UUID.randomUUID().toString();
        for (int i = 1; i <= steps; i++) {
            insertStep(id, i);
        }
    }

    /** The same workload without the engine: INSERT the instance, {@code steps} INSERTs, UPDATE it finished. */
    void workflow(int steps) throws SQLException {
        String id = UUID.randomUUID().toString();
        Object now = now();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_INSTANCE)) {
            ps.setString(1, id);
            ps.setString(2, Workloads.ITEM_JSON);
            ps.setObject(3, now);
            ps.setObject(4, now);
            ps.executeUpdate();
        }
        for (int i = 1; i <= steps; i++) {
            insertStep(id, i);
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(FINISH_INSTANCE)) {
            ps.setString(1, Workloads.ITEM_JSON);
            ps.setObject(2, now());
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }
}
