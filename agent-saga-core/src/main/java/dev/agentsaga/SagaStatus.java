package dev.agentsaga;

/** Where a saga is in its life. */
public enum SagaStatus {
    /** Created, not yet picked up by a worker. */
    PENDING,
    /** A worker is executing or replaying it. */
    RUNNING,
    /** Parked on a durable timer or signal; no thread is held. */
    WAITING,
    /** The workflow returned; its output is recorded. */
    COMPLETED,
    /** The workflow failed or was cancelled and the engine is undoing its completed steps. */
    COMPENSATING,
    /** Every completed COMPENSABLE step was undone. */
    COMPENSATED,
    /** A compensation kept failing; fix the cause and {@code retry}. */
    COMPENSATION_FAILED,
    /** The workflow failed and there was nothing to undo. */
    FAILED,
    /**
     * An operator must decide: an in-doubt IRREVERSIBLE step, non-determinism, a payload over the limit, a
     * saga recovered more often than {@code agent.saga.max-recovery-attempts} without progress (its step
     * keeps taking its node down), or a payload sealed under an encryption key the node does not have.
     */
    NEEDS_ATTENTION;

    /** Whether the saga will not move again by itself or by an operator. */
    public boolean isTerminal() {
        return this == COMPLETED || this == COMPENSATED || this == FAILED;
    }
}
