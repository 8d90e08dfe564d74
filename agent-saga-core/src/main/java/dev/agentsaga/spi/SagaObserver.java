package dev.agentsaga.spi;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;

/**
 * Told what the engine does, for metrics and tracing. Called on the engine's threads: implementations
 * must be fast and must not throw (what they throw is logged and ignored).
 */
public interface SagaObserver {

    /** An observer that ignores everything. */
    SagaObserver NONE = new SagaObserver() {
    };

    /** A saga was created and started on this engine. */
    default void sagaStarted(String sagaId, String workflow) {
    }

    /**
     * This engine claimed a saga to go on with it; {@code recovered} when the saga had been running
     * elsewhere (a crashed or stopped engine) rather than waiting or pending, or compensating after it was
     * parked or moved to compensate (waiting for a child, an operator's cancel, a parent undoing its child).
     */
    default void sagaResumed(String sagaId, String workflow, boolean recovered) {
    }

    /** A run of the saga ended in {@code status} (COMPLETED, COMPENSATED, FAILED, WAITING, ...). */
    default void sagaRested(String sagaId, String workflow, SagaStatus status) {
    }

    /** A new step (not a replayed one) begins to execute; the returned observation is stopped when it ends. */
    default StepObservation stepStarted(StepEvent step) {
        return StepObservation.NONE;
    }

    /**
     * A step's entry was journaled (committed): a new step, or the new outcome of a recorded one (an
     * intent that ran, a wait that ended). Not called for steps answered from the journal.
     */
    default void stepJournaled(StepEvent step, StepStatus status) {
    }

    /** An attempt of a step failed and the step is tried again. */
    default void stepRetried(StepEvent step, int nextAttempt, Throwable failure) {
    }

    /** A journaled model call took tokens, or was answered from the journal and did not take them again. */
    default void modelTokens(StepEvent step, int inputTokens, int outputTokens, TokenUse use) {
    }

    /**
     * A model call found its rate key's window full and its saga was parked for {@code wait}, until the next
     * minute; the call is made when the saga resumes.
     */
    default void modelCallThrottled(StepEvent step, String rateKey, Duration wait) {
    }

    /** A compensation of a step ended. */
    default void compensationEnded(StepEvent step, boolean succeeded, int attempts) {
    }

    /**
     * Retention deleted a batch of finished sagas: {@code sagas} of them, {@code rows} rows in all (theirs,
     * their steps' and signals'), in one transaction that took {@code took}, archiving included.
     */
    default void retentionDeleted(int sagas, long rows, Duration took) {
    }

    /**
     * This engine fired a tick of the schedule {@code schedule}: {@code created} when it created the tick's saga,
     * false when another engine had (the tick is started once across the fleet).
     */
    default void scheduleFired(String schedule, String workflow, Instant tick, boolean created) {
    }

    /** This engine skipped {@code ticks} missed ticks of the schedule (its policy is SKIP, or past its catch-up limit). */
    default void scheduleTicksSkipped(String schedule, String workflow, long ticks) {
    }

    /** What became of a journaled model call's tokens. */
    enum TokenUse {
        /** The call was made: the tokens were spent. */
        SPENT,
        /**
         * The call was answered from the journal in a run that recovered the saga after a crash, a
         * takeover, a stop or an operator's retry: what re-running the job would have spent again.
         */
        SAVED,
        /** The call was answered from the journal when the saga resumed after a durable wait. */
        REPLAYED
    }

    /** One step, as observers see it. */
    record StepEvent(String sagaId, String workflow, int seq, String name, StepKind kind,
            @Nullable Reversibility reversibility) {
    }

    /** The observation of one executing step. */
    @FunctionalInterface
    interface StepObservation {

        StepObservation NONE = (outcome, attempts, failure) -> {
        };

        /**
         * The step ended.
         * @param outcome {@code succeeded}, {@code failed} or {@code unknown} (an IRREVERSIBLE step in doubt)
         */
        void stop(String outcome, int attempts, @Nullable Throwable failure);
    }
}
