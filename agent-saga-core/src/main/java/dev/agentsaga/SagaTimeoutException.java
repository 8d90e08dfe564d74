package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** A wait for a saga to rest ran out of time; the saga itself goes on. */
public class SagaTimeoutException extends AgentSagaException {

    public SagaTimeoutException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public SagaTimeoutException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
