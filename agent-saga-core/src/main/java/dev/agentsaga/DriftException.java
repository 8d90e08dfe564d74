package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * On replay a journaled model call's request differs from the recorded one, and the drift policy does
 * not allow going on; the message names the step and the parts of the request that changed.
 */
public class DriftException extends AgentSagaException {

    public DriftException(String message, @Nullable String sagaId, @Nullable Integer step) {
        super(message, sagaId, step, null);
    }
}
