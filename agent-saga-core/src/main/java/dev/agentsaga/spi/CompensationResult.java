package dev.agentsaga.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.StepStatus;

/**
 * The commit that ends one step's compensation.
 *
 * @param outcome COMPENSATED or COMPENSATION_FAILED; the latter also makes the saga COMPENSATION_FAILED
 * @param error the last failure, when the compensation failed
 * @param nextSeq the next (older) step to mark COMPENSATING; null when this was the last, in which
 *        case a COMPENSATED outcome makes the saga COMPENSATED
 */
public record CompensationResult(String sagaId, int seq, StepStatus outcome, int attempts, @Nullable String error,
        @Nullable Integer nextSeq, Instant now) {
}
