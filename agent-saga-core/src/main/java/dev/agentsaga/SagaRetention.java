package dev.agentsaga;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How long finished sagas (COMPLETED, COMPENSATED, FAILED) are kept, counted from their creation, before the
 * engine deletes them with their steps and signals (handing them to a {@link dev.agentsaga.spi.SagaArchiver}
 * first when there is one). A saga that is not finished is never deleted, however old. Off unless a duration
 * is set, for all workflows or for some.
 *
 * @param keepFinished how long the finished sagas of every workflow without a duration of its own are kept;
 *        null keeps them
 * @param workflows durations of their own, by workflow name
 * @param batchSize how many sagas one transaction deletes at most
 * @param interval how often a node looks for sagas to delete; one node at a time deletes
 * @param dutyCycle the share of the time a node deletes while it has a backlog, above 0 and at most 1: after a
 *        batch that took {@code t} it waits {@code t * (1 - dutyCycle) / dutyCycle} before the next, so that
 *        deleting a large backlog leaves the database to the sagas that run
 */
public record SagaRetention(@Nullable Duration keepFinished, Map<String, Duration> workflows, int batchSize,
        Duration interval, double dutyCycle) {

    /** Nothing is deleted. */
    public static final SagaRetention KEEP_ALL = new SagaRetention(null, Map.of(), 500, Duration.ofMinutes(1), 0.1);

    public SagaRetention {
        workflows = Map.copyOf(workflows);
        if (keepFinished != null) {
            positive(keepFinished, "keepFinished");
        }
        workflows.forEach((workflow, keep) -> positive(keep, "the retention of workflow '" + workflow + "'"));
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        positive(Objects.requireNonNull(interval, "interval must not be null"), "interval");
        if (!(dutyCycle > 0 && dutyCycle <= 1)) {
            throw new IllegalArgumentException("dutyCycle must be above 0 and at most 1, was " + dutyCycle);
        }
    }

    /** Keeps the finished sagas of every workflow for {@code keep} (those with a duration of their own aside). */
    public SagaRetention keepFinished(Duration keep) {
        return new SagaRetention(keep, workflows, batchSize, interval, dutyCycle);
    }

    /** Keeps the finished sagas of {@code workflow} for {@code keep}. */
    public SagaRetention keepFinished(String workflow, Duration keep) {
        Map<String, Duration> more = new LinkedHashMap<>(workflows);
        more.put(workflow, keep);
        return new SagaRetention(keepFinished, more, batchSize, interval, dutyCycle);
    }

    public SagaRetention withBatchSize(int batchSize) {
        return new SagaRetention(keepFinished, workflows, batchSize, interval, dutyCycle);
    }

    public SagaRetention withInterval(Duration interval) {
        return new SagaRetention(keepFinished, workflows, batchSize, interval, dutyCycle);
    }

    public SagaRetention withDutyCycle(double dutyCycle) {
        return new SagaRetention(keepFinished, workflows, batchSize, interval, dutyCycle);
    }

    /** Whether anything is ever deleted. */
    public boolean enabled() {
        return keepFinished != null || !workflows.isEmpty();
    }

    private static void positive(Duration duration, String what) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + duration);
        }
    }
}
