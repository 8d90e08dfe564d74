package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One of the writes on a running saga's hot path ({@link SagaStore#write}), which the engine may group
 * with other sagas' writes into one transaction ({@link SagaStore#writeAll}). Each is fenced by its
 * lease: nothing of it is written when the lease was lost. The engine decides a write's kind once, when
 * it makes the write; a store turns each kind into its statement in one place.
 */
public sealed interface JournalWrite permits JournalWrite.StepWrite, JournalWrite.CompleteSaga {

    /** The lease the write is conditioned on. */
    Lease lease();

    /** A write of one journal entry: a new one appended, or a recorded one's outcome rewritten. */
    sealed interface StepWrite extends JournalWrite permits AppendStep, UpdateStep {

        /** The entry. */
        StepRecord step();
    }

    /** Appends a journal entry. */
    record AppendStep(Lease lease, StepRecord step) implements StepWrite {

        public AppendStep {
            Objects.requireNonNull(lease, "lease must not be null");
            Objects.requireNonNull(step, "step must not be null");
        }
    }

    /**
     * Rewrites the outcome columns of a recorded journal entry (status, output, error, attempts, finished,
     * resolution, note, fingerprint, tokens).
     */
    record UpdateStep(Lease lease, StepRecord step) implements StepWrite {

        public UpdateStep {
            Objects.requireNonNull(lease, "lease must not be null");
            Objects.requireNonNull(step, "step must not be null");
        }
    }

    /**
     * Marks the saga COMPLETED with its output and releases it; a child ({@code parentId} set) wakes its parent
     * in the same transaction when the parent is parked, so that no crash falls between the two.
     */
    record CompleteSaga(Lease lease, String output, Instant now, @Nullable String parentId) implements JournalWrite {

        public CompleteSaga {
            Objects.requireNonNull(lease, "lease must not be null");
            Objects.requireNonNull(now, "now must not be null");
        }

        /** The completion of a saga that is no child. */
        public CompleteSaga(Lease lease, String output, Instant now) {
            this(lease, output, now, null);
        }
    }
}
