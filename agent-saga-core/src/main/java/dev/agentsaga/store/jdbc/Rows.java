package dev.agentsaga.store.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;

/** Maps rows to records and records to parameters, with the dialect's timestamps. */
final class Rows {

    private final SqlDialect sql;

    Rows(SqlDialect sql) {
        this.sql = sql;
    }

    InstanceRecord instance(ResultSet rs, int row) throws SQLException {
        return new InstanceRecord(rs.getString("id"), rs.getString("workflow"), rs.getString("workflow_version"),
                SagaStatus.valueOf(rs.getString("status")), rs.getString("input"), rs.getString("output"),
                rs.getString("error"), (Integer) rs.getObject("error_step", Integer.class),
                rs.getBoolean("cancel_requested"), rs.getString("owner"), rs.getLong("lease_epoch"),
                instant(rs, "lease_expires_at"), instant(rs, "wake_at"), requiredInstant(rs, "created_at"),
                requiredInstant(rs, "updated_at"), rs.getLong("replayed_tokens"),
                rs.getLong("saved_tokens"), rs.getString("recovered_from"),
                (Long) rs.getObject("recovery_mark", Long.class), instant(rs, "erased_at"));
    }

    ClaimedSaga claimed(ResultSet rs, int row) throws SQLException {
        return claimed(instance(rs, row), rs.getString("previous_status"), rs.getString("previous_owner"));
    }

    /**
     * A claimed saga is recovered when it was running or compensating before: another engine left it. It is
     * taken from its previous owner when that engine still held it (its lease expired: it crashed, hung or
     * lost the database) rather than released it.
     */
    static ClaimedSaga claimed(InstanceRecord saga, @Nullable String previousStatus, @Nullable String previousOwner) {
        boolean recovered = "RUNNING".equals(previousStatus) || "COMPENSATING".equals(previousStatus);
        return new ClaimedSaga(saga, recovered, recovered ? previousOwner : null);
    }

    SagaSummary summary(ResultSet rs, int row) throws SQLException {
        return new SagaSummary(rs.getString("id"), rs.getString("workflow"), rs.getString("workflow_version"),
                SagaStatus.valueOf(rs.getString("status")), rs.getString("error"), requiredInstant(rs, "created_at"),
                requiredInstant(rs, "updated_at"));
    }

    StepRecord step(ResultSet rs, int row) throws SQLException {
        String reversibility = rs.getString("reversibility");
        return new StepRecord(rs.getString("saga_id"), rs.getInt("seq"), rs.getString("name"),
                StepKind.valueOf(rs.getString("kind")),
                reversibility == null ? null : Reversibility.valueOf(reversibility),
                StepStatus.valueOf(rs.getString("status")), rs.getString("input"), rs.getString("output"),
                rs.getString("error"), rs.getInt("attempts"), instant(rs, "started_at"), instant(rs, "finished_at"),
                rs.getInt("compensation_attempts"), rs.getString("compensation_error"),
                instant(rs, "compensated_at"), rs.getString("resolution"), rs.getString("note"),
                rs.getString("fingerprint"), (Integer) rs.getObject("input_tokens", Integer.class),
                (Integer) rs.getObject("output_tokens", Integer.class));
    }

    SignalRecord signal(ResultSet rs, int row) throws SQLException {
        return new SignalRecord(rs.getString("id"), rs.getString("saga_id"), rs.getString("name"),
                rs.getString("payload"), requiredInstant(rs, "created_at"));
    }

    MapSqlParameterSource stepParams(StepRecord step) {
        return new MapSqlParameterSource("sagaId", step.sagaId())
                .addValue("seq", step.seq())
                .addValue("name", step.name())
                .addValue("kind", step.kind().name())
                .addValue("reversibility", step.reversibility() == null ? null : step.reversibility().name(),
                        java.sql.Types.VARCHAR)
                .addValue("status", step.status().name())
                .addValue("input", step.input(), java.sql.Types.VARCHAR)
                .addValue("output", step.output(), java.sql.Types.VARCHAR)
                .addValue("error", step.error(), java.sql.Types.VARCHAR)
                .addValue("attempts", step.attempts())
                .addValue("startedAt", time(step.startedAt()), sql.timestampType())
                .addValue("finishedAt", time(step.finishedAt()), sql.timestampType())
                .addValue("resolution", step.resolution(), java.sql.Types.VARCHAR)
                .addValue("note", step.note(), java.sql.Types.VARCHAR)
                .addValue("fingerprint", step.fingerprint(), java.sql.Types.VARCHAR)
                .addValue("inputTokens", step.inputTokens(), java.sql.Types.INTEGER)
                .addValue("outputTokens", step.outputTokens(), java.sql.Types.INTEGER);
    }

    /** Adds the lease a fenced statement checks; {@code :id} and {@code :sagaId} both name the saga. */
    static MapSqlParameterSource fenced(Lease lease, MapSqlParameterSource params) {
        return params.addValue("id", lease.sagaId()).addValue("sagaId", lease.sagaId())
                .addValue("owner", lease.owner()).addValue("epoch", lease.epoch());
    }

    /** The value a statement binds for {@code instant} in the dialect's timestamp columns. */
    @Nullable Object time(@Nullable Instant instant) {
        return instant == null ? null : sql.timestamp(instant);
    }

    /** A NOT NULL column's instant. */
    private Instant requiredInstant(ResultSet rs, String column) throws SQLException {
        return Objects.requireNonNull(instant(rs, column), () -> column + " must not be null");
    }

    private @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        return sql.instant(rs, column);
    }
}
