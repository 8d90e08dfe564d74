package dev.agentsaga.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.Reversibility;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;

/**
 * A row of the {@code step} table: one journaled step and its compensation.
 *
 * @param input the input as JSON text (for waits: the instant the wait ends)
 * @param output the output as JSON text
 * @param error the failure as JSON text {@code {"type": ..., "message": ...}}
 * @param resolution the operator's {@link dev.agentsaga.Resolution.Outcome} for an in-doubt step
 * @param note why the step was not compensated, or the operator's note
 * @param fingerprint for a journaled call (a model call): the fingerprint of its request, as JSON
 * @param inputTokens for a model call: the tokens of its request
 * @param outputTokens for a model call: the tokens of its response
 */
public record StepRecord(String sagaId, int seq, String name, StepKind kind, @Nullable Reversibility reversibility,
        StepStatus status, @Nullable String input, @Nullable String output, @Nullable String error, int attempts,
        @Nullable Instant startedAt, @Nullable Instant finishedAt, int compensationAttempts,
        @Nullable String compensationError, @Nullable Instant compensatedAt, @Nullable String resolution,
        @Nullable String note, @Nullable String fingerprint, @Nullable Integer inputTokens,
        @Nullable Integer outputTokens) {

    /** A new journal entry with no compensation recorded. */
    public static StepRecord of(String sagaId, int seq, String name, StepKind kind, @Nullable Reversibility reversibility,
            StepStatus status, @Nullable String input, @Nullable String output, @Nullable String error, int attempts,
            Instant startedAt, @Nullable Instant finishedAt) {
        return new StepRecord(sagaId, seq, name, kind, reversibility, status, input, output, error, attempts, startedAt,
                finishedAt, 0, null, null, null, null, null, null, null);
    }

    /** This step with a recorded outcome. */
    public StepRecord finished(StepStatus status, @Nullable String output, @Nullable String error, int attempts,
            @Nullable Instant finishedAt) {
        return new StepRecord(sagaId, seq, name, kind, reversibility, status, input, output, error, attempts, startedAt,
                finishedAt, compensationAttempts, compensationError, compensatedAt, resolution, note, fingerprint,
                inputTokens, outputTokens);
    }

    /** This step with the fingerprint and token counts of a journaled call. */
    public StepRecord withCall(@Nullable String fingerprint, @Nullable Integer inputTokens,
            @Nullable Integer outputTokens) {
        return new StepRecord(sagaId, seq, name, kind, reversibility, status, input, output, error, attempts, startedAt,
                finishedAt, compensationAttempts, compensationError, compensatedAt, resolution, note, fingerprint,
                inputTokens, outputTokens);
    }

    /** This step with a note (why it was not compensated, why it waited, or an operator's note). */
    public StepRecord withNote(@Nullable String note) {
        return new StepRecord(sagaId, seq, name, kind, reversibility, status, input, output, error, attempts, startedAt,
                finishedAt, compensationAttempts, compensationError, compensatedAt, resolution, note, fingerprint,
                inputTokens, outputTokens);
    }

    /** This step with an operator's resolution. */
    public StepRecord resolved(String resolution, @Nullable String note) {
        return new StepRecord(sagaId, seq, name, kind, reversibility, status, input, output, error, attempts, startedAt,
                finishedAt, compensationAttempts, compensationError, compensatedAt, resolution, note, fingerprint,
                inputTokens, outputTokens);
    }
}
