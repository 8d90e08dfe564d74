package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** The journal could not be read or written. */
public class SagaStoreException extends AgentSagaException {

    public SagaStoreException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public SagaStoreException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
