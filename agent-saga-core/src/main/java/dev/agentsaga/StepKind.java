package dev.agentsaga;

/** What produced a journaled step. */
public enum StepKind {
    /** {@link Saga#step}: a registered action. */
    ACTION,
    /** {@link Saga#call}: a journaled side effect without compensation. */
    CALL,
    /** {@link Saga#now}. */
    NOW,
    /** {@link Saga#randomUuid}. */
    UUID,
    /** {@link Saga#sleep}. */
    SLEEP,
    /** {@link Saga#awaitSignal}. */
    SIGNAL,
    /** A journaled language model call. */
    LLM,
    /** {@link Saga#startChild}: a child saga, joined with {@link SagaChild#join()}. */
    CHILD
}
