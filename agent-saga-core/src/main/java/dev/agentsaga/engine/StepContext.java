package dev.agentsaga.engine;

import dev.agentsaga.ActionContext;

/** The {@link ActionContext} of one attempt. */
record StepContext(String sagaId, int step, int attempt, boolean compensating) implements ActionContext {

    @Override
    public String idempotencyKey() {
        return keyOf(sagaId, step);
    }

    static String keyOf(String sagaId, int step) {
        return sagaId + ":" + step;
    }
}
