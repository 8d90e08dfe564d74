package dev.agentsaga;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One journaled step, with its compensation.
 *
 * @param seq the sequence number, starting at 1
 * @param reversibility the action's reversibility when it ran; null for steps that are not actions
 * @param compensationNote why the step was not compensated, when it was not
 * @param inputTokens for a model call, the tokens of its request
 * @param outputTokens for a model call, the tokens of its response
 */
public record StepView(int seq, String name, StepKind kind, StepStatus status, @Nullable Reversibility reversibility,
        int attempts, @Nullable String input, @Nullable String output, @Nullable String error,
        @Nullable Instant startedAt, @Nullable Instant finishedAt, int compensationAttempts,
        @Nullable String compensationError, @Nullable Instant compensatedAt, @Nullable String compensationNote,
        String idempotencyKey, @Nullable Integer inputTokens, @Nullable Integer outputTokens) {

    /** How long the step took, when it has finished. */
    public @Nullable Duration duration() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
    }
}
