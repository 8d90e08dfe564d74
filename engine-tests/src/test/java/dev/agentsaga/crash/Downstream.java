package dev.agentsaga.crash;

import java.util.List;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.ActionContext;

/**
 * What the test actions talk to: a stand-in for the downstream APIs of a real agent, kept in two
 * tables of the test schema so that the test can see every attempt and every effect after the JVMs
 * that made them are gone.
 *
 * <ul>
 * <li>{@code crash_attempt}: an append-only log of every execution and compensation the engine asked
 * for, in a global order (a sequence), written before the action does anything. Its {@code outcome}
 * stays null when the JVM died inside the action.
 * <li>{@code crash_effect}: the effects. Compensable effects are insert-if-absent by idempotency key,
 * like a real API that deduplicates requests; irreversible ones are always inserted, like an e-mail
 * that is sent again when asked again. Deliberately no unique constraint, so a duplicate shows up in
 * the assertions instead of as an exception in the action.
 * </ul>
 * The tables are made in PostgreSQL's or MariaDB's SQL, whichever the schema is on.
 */
final class Downstream {

    /** Whether the engine executed the action or compensated it. */
    enum Phase { EXECUTE, COMPENSATE }

    /** An effect, or the undo of one. */
    enum Kind { DO, UNDO }

    /** One row of the attempts log. */
    record Attempt(long id, String sagaId, String idempotencyKey, int step, String action, Phase phase, int run,
            int attempt, @Nullable String outcome) {
    }

    /** One row of the effects table. */
    record Effect(long id, String sagaId, String idempotencyKey, int step, String action, Kind kind, int run) {
    }

    private final JdbcTemplate jdbc;

    private final int run;

    private final boolean mariadb;

    /** {@code run} numbers the JVM (or engine) the attempts come from: 1 for the first child, and so on. */
    Downstream(DataSource dataSource, int run) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.run = run;
        this.mariadb = isMariaDb(jdbc);
    }

    /** Whether the template's database is MariaDB (or MySQL) rather than PostgreSQL. */
    static boolean isMariaDb(JdbcTemplate jdbc) {
        String product = jdbc.execute((ConnectionCallback<String>) con -> con.getMetaData().getDatabaseProductName());
        return "MariaDB".equalsIgnoreCase(product) || "MySQL".equalsIgnoreCase(product);
    }

    static void createTables(JdbcTemplate jdbc) {
        boolean mariadb = isMariaDb(jdbc);
        String id = mariadb ? "BIGINT AUTO_INCREMENT PRIMARY KEY" : "BIGSERIAL PRIMARY KEY";
        String at = mariadb ? "DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
                : "TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()";
        jdbc.execute("""
                CREATE TABLE crash_attempt (
                    id %s,
                    saga_id VARCHAR(200) NOT NULL,
                    idempotency_key VARCHAR(250) NOT NULL,
                    step INT NOT NULL,
                    action VARCHAR(100) NOT NULL,
                    phase VARCHAR(16) NOT NULL,
                    run INT NOT NULL,
                    attempt INT NOT NULL,
                    outcome VARCHAR(16),
                    at %s)""".formatted(id, at));
        jdbc.execute("""
                CREATE TABLE crash_effect (
                    id %s,
                    saga_id VARCHAR(200) NOT NULL,
                    idempotency_key VARCHAR(250) NOT NULL,
                    step INT NOT NULL,
                    action VARCHAR(100) NOT NULL,
                    kind VARCHAR(8) NOT NULL,
                    run INT NOT NULL,
                    at %s)""".formatted(id, at));
    }

    /** Logs the start of an attempt and returns its id. */
    long begin(ActionContext ctx, String action, Phase phase) {
        Long id = jdbc.queryForObject("""
                INSERT INTO crash_attempt (saga_id, idempotency_key, step, action, phase, run, attempt)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""", Long.class,
                ctx.sagaId(), ctx.idempotencyKey(), ctx.step(), action, phase.name(), run, ctx.attempt());
        return id;
    }

    /** Records how an attempt ended: OK or FAILED. */
    void end(long attemptId, String outcome) {
        jdbc.update("UPDATE crash_attempt SET outcome = ? WHERE id = ?", outcome, attemptId);
    }

    /** Applies an effect once per idempotency key and kind; a repeated request changes nothing. */
    void applyOnce(ActionContext ctx, String action, Kind kind) {
        String insert = """
                INSERT INTO crash_effect (saga_id, idempotency_key, step, action, kind, run)
                SELECT ?, ?, ?, ?, ?, ?
                WHERE NOT EXISTS (SELECT 1 FROM crash_effect WHERE idempotency_key = ? AND kind = ?)""";
        Object[] args = { ctx.sagaId(), ctx.idempotencyKey(), ctx.step(), action, kind.name(), run,
                ctx.idempotencyKey(), kind.name() };
        if (!mariadb) {
            jdbc.update(insert, args);
            return;
        }
        // as on PostgreSQL: at InnoDB's REPEATABLE READ the check would lock the whole table (no index on the
        // key) and concurrent inserts would deadlock, failing the actions
        jdbc.execute((ConnectionCallback<Void>) con -> {
            try (var isolation = con.createStatement()) {
                isolation.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
            }
            try (var statement = con.prepareStatement(insert)) {
                for (int i = 0; i < args.length; i++) {
                    statement.setObject(i + 1, args[i]);
                }
                statement.executeUpdate();
            }
            return null;
        });
    }

    /** Applies an effect that cannot be deduplicated: every request is a new effect. */
    void applyAlways(ActionContext ctx, String action, Kind kind) {
        jdbc.update("""
                INSERT INTO crash_effect (saga_id, idempotency_key, step, action, kind, run)
                VALUES (?, ?, ?, ?, ?, ?)""",
                ctx.sagaId(), ctx.idempotencyKey(), ctx.step(), action, kind.name(), run);
    }

    List<Attempt> attempts(String sagaId) {
        return jdbc.query("""
                SELECT id, saga_id, idempotency_key, step, action, phase, run, attempt, outcome
                FROM crash_attempt WHERE saga_id = ? ORDER BY id""",
                (rs, i) -> new Attempt(rs.getLong("id"), rs.getString("saga_id"), rs.getString("idempotency_key"),
                        rs.getInt("step"), rs.getString("action"), Phase.valueOf(rs.getString("phase")),
                        rs.getInt("run"), rs.getInt("attempt"), rs.getString("outcome")),
                sagaId);
    }

    List<Effect> effects(String sagaId) {
        return jdbc.query("""
                SELECT id, saga_id, idempotency_key, step, action, kind, run
                FROM crash_effect WHERE saga_id = ? ORDER BY id""",
                (rs, i) -> new Effect(rs.getLong("id"), rs.getString("saga_id"), rs.getString("idempotency_key"),
                        rs.getInt("step"), rs.getString("action"), Kind.valueOf(rs.getString("kind")),
                        rs.getInt("run")),
                sagaId);
    }

    /** Whether the engine of the given run has asked any action of the saga for anything yet. */
    boolean anyAttempt(String sagaId, int run) {
        Integer count = jdbc.queryForObject("SELECT count(*) FROM crash_attempt WHERE saga_id = ? AND run = ?",
                Integer.class, sagaId, run);
        return count != null && count > 0;
    }
}
