package dev.agentsaga.store.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.EncryptionKeyException;
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

/**
 * Maps rows to records and records to parameters, with the dialect's timestamps; payloads are opened as they
 * are read and sealed as they are bound ({@link PayloadColumns}).
 */
final class Rows {

    private final SqlDialect sql;

    private final PayloadColumns payloads;

    Rows(SqlDialect sql, PayloadColumns payloads) {
        this.sql = sql;
        this.payloads = payloads;
    }

    /** The payload columns, for the statements that bind payloads themselves. */
    PayloadColumns payloads() {
        return payloads;
    }

    InstanceRecord instance(ResultSet rs, int row) throws SQLException {
        return instance(rs, true);
    }

    /** The saga's row, its payloads opened or, when {@code open} is false, left out (null). */
    private InstanceRecord instance(ResultSet rs, boolean open) throws SQLException {
        String id = rs.getString("id");
        return new InstanceRecord(id, rs.getString("workflow"), rs.getString("workflow_version"),
                SagaStatus.valueOf(rs.getString("status")), open ? payloads.open(id, rs.getString("input")) : null,
                open ? payloads.open(id, rs.getString("output")) : null,
                open ? payloads.open(id, rs.getString("error")) : null,
                (Integer) rs.getObject("error_step", Integer.class),
                rs.getBoolean("cancel_requested"), rs.getString("owner"), rs.getLong("lease_epoch"),
                instant(rs, "lease_expires_at"), instant(rs, "wake_at"), requiredInstant(rs, "created_at"),
                requiredInstant(rs, "updated_at"), rs.getLong("replayed_tokens"),
                rs.getLong("saved_tokens"), rs.getString("recovered_from"),
                (Long) rs.getObject("recovery_mark", Long.class), instant(rs, "erased_at"), rs.getString("parent_id"),
                (Integer) rs.getObject("parent_step", Integer.class), rs.getString("forked_from"),
                (Integer) rs.getObject("fork_step", Integer.class),
                open ? payloads.open(id, rs.getString("fork_overrides")) : null, rs.getString("queue"),
                rs.getString("partition_key"), rs.getInt("priority"));
    }

    ClaimedSaga claimed(ResultSet rs, int row) throws SQLException {
        return claimed(rs, rs.getString("previous_status"), rs.getString("previous_owner"),
                instant(rs, "previous_wake_at"));
    }

    /**
     * A claimed saga is recovered when it was running or compensating before: another engine left it. A
     * compensating saga with a wake time was not left but parked (waiting for a child to compensate) or moved
     * there (an operator's cancel, a parent undoing its child): its claim is no recovery. It is taken from its
     * previous owner when that engine still held it (its lease expired: it crashed, hung or lost the database)
     * rather than released it. A saga whose payloads cannot be opened is claimed all the same, with the reason,
     * so that one missing key does not fail the claim of every other saga. A saga that was PENDING and is no
     * fork runs for the first time: nothing ever set a saga back to PENDING, so its journal is empty.
     */
    ClaimedSaga claimed(ResultSet rs, @Nullable String previousStatus, @Nullable String previousOwner,
            @Nullable Instant previousWakeAt) throws SQLException {
        boolean recovered = "RUNNING".equals(previousStatus)
                || "COMPENSATING".equals(previousStatus) && previousWakeAt == null;
        String takenFrom = recovered ? previousOwner : null;
        boolean firstRun = "PENDING".equals(previousStatus) && rs.getObject("fork_step") == null;
        try {
            return new ClaimedSaga(instance(rs, true), recovered, takenFrom, null, firstRun);
        }
        catch (EncryptionKeyException ex) {
            return new ClaimedSaga(instance(rs, false), recovered, takenFrom, ex.getMessage(), firstRun);
        }
    }

    /** A list's row: an error that cannot be opened is replaced by why, rather than fail the whole page. */
    SagaSummary summary(ResultSet rs, int row) throws SQLException {
        String id = rs.getString("id");
        return new SagaSummary(id, rs.getString("workflow"), rs.getString("workflow_version"),
                SagaStatus.valueOf(rs.getString("status")), payloads.openOrExplain(id, rs.getString("error")),
                requiredInstant(rs, "created_at"), requiredInstant(rs, "updated_at"));
    }

    StepRecord step(ResultSet rs, int row) throws SQLException {
        String sagaId = rs.getString("saga_id");
        String reversibility = rs.getString("reversibility");
        return new StepRecord(sagaId, rs.getInt("seq"), rs.getString("name"),
                StepKind.valueOf(rs.getString("kind")),
                reversibility == null ? null : Reversibility.valueOf(reversibility),
                StepStatus.valueOf(rs.getString("status")), payloads.open(sagaId, rs.getString("input")),
                payloads.open(sagaId, rs.getString("output")), payloads.open(sagaId, rs.getString("error")),
                rs.getInt("attempts"), instant(rs, "started_at"), instant(rs, "finished_at"),
                rs.getInt("compensation_attempts"), payloads.open(sagaId, rs.getString("compensation_error")),
                instant(rs, "compensated_at"), rs.getString("resolution"), payloads.open(sagaId, rs.getString("note")),
                payloads.open(sagaId, rs.getString("fingerprint")), (Integer) rs.getObject("input_tokens", Integer.class),
                (Integer) rs.getObject("output_tokens", Integer.class));
    }

    SignalRecord signal(ResultSet rs, int row) throws SQLException {
        String sagaId = rs.getString("saga_id");
        return new SignalRecord(rs.getString("id"), sagaId, rs.getString("name"),
                payloads.open(sagaId, rs.getString("payload")), requiredInstant(rs, "created_at"));
    }

    /** A journal entry's values as parameters, its payloads sealed. */
    MapSqlParameterSource stepParams(StepRecord step) {
        String sagaId = step.sagaId();
        return new MapSqlParameterSource("sagaId", sagaId)
                .addValue("seq", step.seq())
                .addValue("name", step.name())
                .addValue("kind", step.kind().name())
                .addValue("reversibility", step.reversibility() == null ? null : step.reversibility().name(),
                        java.sql.Types.VARCHAR)
                .addValue("status", step.status().name())
                .addValue("input", payloads.seal(sagaId, step.input()), java.sql.Types.VARCHAR)
                .addValue("output", payloads.seal(sagaId, step.output()), java.sql.Types.VARCHAR)
                .addValue("error", payloads.seal(sagaId, step.error()), java.sql.Types.VARCHAR)
                .addValue("attempts", step.attempts())
                .addValue("startedAt", time(step.startedAt()), sql.timestampType())
                .addValue("finishedAt", time(step.finishedAt()), sql.timestampType())
                .addValue("resolution", step.resolution(), java.sql.Types.VARCHAR)
                .addValue("note", payloads.seal(sagaId, step.note()), java.sql.Types.VARCHAR)
                .addValue("fingerprint", payloads.seal(sagaId, step.fingerprint()), java.sql.Types.VARCHAR)
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

    @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        return sql.instant(rs, column);
    }
}
