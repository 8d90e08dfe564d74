package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One of the writes on a running saga's hot path, which the engine may group with other sagas' writes
 * into one transaction ({@link SagaStore#writeAll}). Each is fenced by its lease, like the single-write
 * methods it stands for.
 */
public sealed interface JournalWrite {

    /** The lease the write is conditioned on. */
    Lease lease();

    /** {@link SagaStore#appendStep}: appends a journal entry. */
    record AppendStep(Lease lease, StepRecord step) implements JournalWrite {

        public AppendStep {
            Objects.requireNonNull(lease, "lease must not be null");
            Objects.requireNonNull(step, "step must not be null");
        }
    }

    /** {@link SagaStore#updateStep}: rewrites a journal entry's outcome. */
    record UpdateStep(Lease lease, StepRecord step) implements JournalWrite {

        public UpdateStep {
            Objects.requireNonNull(lease, "lease must not be null");
            Objects.requireNonNull(step, "step must not be null");
        }
    }

    /** {@link SagaStore#complete}: marks the saga COMPLETED with its output and releases it. */
    record CompleteSaga(Lease lease, String output, Instant now) implements JournalWrite {

        public CompleteSaga {
            Objects.requireNonNull(lease, "lease must not be null");
            Objects.requireNonNull(now, "now must not be null");
        }
    }
}
