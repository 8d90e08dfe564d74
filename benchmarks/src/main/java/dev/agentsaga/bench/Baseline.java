package dev.agentsaga.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

import dev.agentsaga.store.jdbc.PostgresDialect;

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

    /** The engine's own journal INSERT (fenced by the saga's lease), from its dialect. */
    private static final ParsedSql ENGINE_STEP = NamedParameterUtils.parseSqlStatement(
            new PostgresDialect(BenchDatabase.PREFIX).insertStep());

    /** The same statement with its lease check but without the row lock the check takes (a diagnostic). */
    private static final ParsedSql ENGINE_STEP_NO_LOCK = NamedParameterUtils.parseSqlStatement(
            new PostgresDialect(BenchDatabase.PREFIX).insertStep().replace(" FOR SHARE)", ")"));

    private final DataSource ds;

    Baseline(DataSource ds) {
        this.ds = ds;
    }

    /** An instance row leased to the plain-JDBC "engine", for {@link #engineStepInsert}. */
    String leasedInstance() throws SQLException {
        String id = "plain-" + UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO "
                + BenchDatabase.INSTANCE + " (id, workflow, workflow_version, status, input, cancel_requested, owner, "
                + "lease_epoch, lease_expires_at, created_at, updated_at) VALUES (?, 'plain', '1', 'RUNNING', ?, FALSE, "
                + "?, 1, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, Workloads.ITEM_JSON);
            ps.setString(3, OWNER);
            ps.setObject(4, now.plusMinutes(10));
            ps.setObject(5, now);
            ps.setObject(6, now);
            ps.executeUpdate();
        }
        return id;
    }

    /**
     * The statement the engine commits for a COMPENSABLE step, run in plain JDBC: its SQL text and
     * parameter types, without the engine around it.
     */
    void engineStepInsert(String sagaId, int seq) throws SQLException {
        engineStepInsert(ENGINE_STEP, sagaId, seq);
    }

    /** {@link #engineStepInsert} without {@code FOR SHARE} on the saga's row. */
    void engineStepInsertWithoutLock(String sagaId, int seq) throws SQLException {
        engineStepInsert(ENGINE_STEP_NO_LOCK, sagaId, seq);
    }

    private void engineStepInsert(ParsedSql statement, String sagaId, int seq) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        MapSqlParameterSource params = new MapSqlParameterSource("sagaId", sagaId).addValue("seq", seq)
                .addValue("name", "noop").addValue("kind", "ACTION")
                .addValue("reversibility", "COMPENSABLE", Types.VARCHAR).addValue("status", "SUCCEEDED")
                .addValue("input", Workloads.ITEM_JSON, Types.VARCHAR)
                .addValue("output", Workloads.ITEM_JSON, Types.VARCHAR).addValue("error", null, Types.VARCHAR)
                .addValue("attempts", 1).addValue("startedAt", now, Types.TIMESTAMP_WITH_TIMEZONE)
                .addValue("finishedAt", now, Types.TIMESTAMP_WITH_TIMEZONE).addValue("resolution", null, Types.VARCHAR)
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
            ps.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
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
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
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
            ps.setObject(2, OffsetDateTime.now(ZoneOffset.UTC));
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }
}
