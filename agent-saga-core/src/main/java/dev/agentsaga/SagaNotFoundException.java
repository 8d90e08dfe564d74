package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** No saga has the given id. */
public class SagaNotFoundException extends AgentSagaException {

    public SagaNotFoundException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public SagaNotFoundException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
