package dev.agentsaga;

/** What the engine may do with an action after a failure: retry it, undo it, or neither. */
public enum Reversibility {
    /** Observes the world without changing it: retried freely, nothing to undo. */
    READ_ONLY,
    /** Changes the world and can be undone by {@link SagaAction#compensate}: retried with the same idempotency key. */
    COMPENSABLE,
    /**
     * Changes the world for good (an email sent, money paid out): never retried by the engine; an
     * ambiguous outcome leaves the saga {@link SagaStatus#NEEDS_ATTENTION} until an operator resolves it.
     */
    IRREVERSIBLE
}
