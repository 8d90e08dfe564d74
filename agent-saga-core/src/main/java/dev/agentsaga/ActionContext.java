package dev.agentsaga;

/** What an action sees of the step it runs in. */
public interface ActionContext {

    /** The saga's id. */
    String sagaId();

    /** The step's sequence number in the saga's journal, starting at 1. */
    int step();

    /** The attempt number, starting at 1; retries and compensation attempts count separately. */
    int attempt();

    /**
     * {@code sagaId + ":" + step}: the same on every attempt, replay, node and for the compensation,
     * and never derived from the arguments. Pass it to downstream APIs that deduplicate requests.
     */
    String idempotencyKey();

    /** True while the action's {@link SagaAction#compensate} is running. */
    boolean compensating();
}
