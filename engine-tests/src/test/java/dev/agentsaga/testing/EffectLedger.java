package dev.agentsaga.testing;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.ActionContext;

/**
 * A downstream system as a test sees it, kept in two tables of the test schema: {@code test_attempt}
 * records every call the engine made, {@code test_effect} records each effect once per idempotency key
 * and kind (insert-if-absent, the way a real API dedupes) and counts the requests that arrived for it.
 * The {@code seq} column of an effect is its order of arrival, so tests can assert the order of
 * compensations.
 */
public final class EffectLedger {

    /** What the engine asked the downstream to do. */
    public enum Kind {
        EXECUTE, COMPENSATE
    }

    /** One call of {@code execute} or {@code compensate}, whatever its outcome. */
    public record Attempt(long id, String sagaId, int step, String idempotencyKey, String action, Kind kind,
            int attempt, Instant at) {
    }

    /**
     * One effect as the downstream keeps it.
     *
     * @param requests how many requests with this key and kind arrived; more than 1 means the engine sent
     *     a completed effect again and only the downstream's dedupe saved it
     */
    public record Effect(long seq, String sagaId, int step, String idempotencyKey, String action, Kind kind,
            String payload, int requests) {
    }

    private final JdbcTemplate jdbc;

    private EffectLedger(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource must not be null"));
    }

    /** Creates the ledger's tables in the data source's schema (when absent) and returns the ledger. */
    public static EffectLedger create(DataSource dataSource) {
        EffectLedger ledger = new EffectLedger(dataSource);
        ledger.jdbc.execute("""
                CREATE TABLE IF NOT EXISTS test_attempt (
                    id BIGSERIAL PRIMARY KEY,
                    saga_id VARCHAR(200) NOT NULL,
                    step INT NOT NULL,
                    idempotency_key VARCHAR(300) NOT NULL,
                    action VARCHAR(200) NOT NULL,
                    kind VARCHAR(16) NOT NULL,
                    attempt INT NOT NULL,
                    at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp())""");
        ledger.jdbc.execute("""
                CREATE TABLE IF NOT EXISTS test_effect (
                    seq BIGSERIAL PRIMARY KEY,
                    saga_id VARCHAR(200) NOT NULL,
                    step INT NOT NULL,
                    idempotency_key VARCHAR(300) NOT NULL,
                    action VARCHAR(200) NOT NULL,
                    kind VARCHAR(16) NOT NULL,
                    payload TEXT,
                    requests INT NOT NULL DEFAULT 1,
                    UNIQUE (idempotency_key, kind))""");
        return ledger;
    }

    /** Records a call, before the action decides how it ends. */
    public void recordAttempt(String action, Kind kind, ActionContext ctx) {
        jdbc.update("""
                INSERT INTO test_attempt (saga_id, step, idempotency_key, action, kind, attempt)
                VALUES (?, ?, ?, ?, ?, ?)""", ctx.sagaId(), ctx.step(), ctx.idempotencyKey(), action, kind.name(),
                ctx.attempt());
    }

    /**
     * Applies an effect once per key and kind; a repeated request only increments {@code requests}.
     * @return true when this request created the effect
     */
    public boolean recordEffect(String action, Kind kind, ActionContext ctx, String payload) {
        Integer requests = jdbc.queryForObject("""
                INSERT INTO test_effect (saga_id, step, idempotency_key, action, kind, payload)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (idempotency_key, kind) DO UPDATE SET requests = test_effect.requests + 1
                RETURNING requests""", Integer.class, ctx.sagaId(), ctx.step(), ctx.idempotencyKey(), action,
                kind.name(), payload);
        return requests != null && requests == 1;
    }

    /** Every call of {@code kind} made for the saga, in the order they arrived. */
    public List<Attempt> attempts(String sagaId, Kind kind) {
        return jdbc.query("SELECT * FROM test_attempt WHERE saga_id = ? AND kind = ? ORDER BY id",
                (rs, i) -> new Attempt(rs.getLong("id"), rs.getString("saga_id"), rs.getInt("step"),
                        rs.getString("idempotency_key"), rs.getString("action"), Kind.valueOf(rs.getString("kind")),
                        rs.getInt("attempt"), rs.getTimestamp("at").toInstant()),
                sagaId, kind.name());
    }

    /** Every call of {@code kind} that {@code action} received in the saga, in order. */
    public List<Attempt> attempts(String sagaId, String action, Kind kind) {
        return attempts(sagaId, kind).stream().filter(a -> a.action().equals(action)).toList();
    }

    /** The effects of {@code kind} the saga caused, in the order they happened. */
    public List<Effect> effects(String sagaId, Kind kind) {
        return jdbc.query("SELECT * FROM test_effect WHERE saga_id = ? AND kind = ? ORDER BY seq",
                (rs, i) -> new Effect(rs.getLong("seq"), rs.getString("saga_id"), rs.getInt("step"),
                        rs.getString("idempotency_key"), rs.getString("action"), Kind.valueOf(rs.getString("kind")),
                        rs.getString("payload"), rs.getInt("requests")),
                sagaId, kind.name());
    }

    /** The actions whose effect of {@code kind} happened in the saga, in the order they happened. */
    public List<String> actions(String sagaId, Kind kind) {
        return effects(sagaId, kind).stream().map(Effect::action).toList();
    }

    /** The actions that executed in the saga, in order of their effects. */
    public List<String> executed(String sagaId) {
        return actions(sagaId, Kind.EXECUTE);
    }

    /** The actions that were compensated in the saga, in the order of the compensations. */
    public List<String> compensated(String sagaId) {
        return actions(sagaId, Kind.COMPENSATE);
    }

    /** The number of calls of {@code kind} the action received in the saga. */
    public int attemptCount(String sagaId, String action, Kind kind) {
        return attempts(sagaId, action, kind).size();
    }
}
