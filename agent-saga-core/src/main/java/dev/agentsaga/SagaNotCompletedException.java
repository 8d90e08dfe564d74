package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** A saga rested in a status other than COMPLETED where its output was expected. */
public class SagaNotCompletedException extends AgentSagaException {

    public SagaNotCompletedException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public SagaNotCompletedException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
