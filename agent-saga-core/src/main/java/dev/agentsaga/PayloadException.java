package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** A payload cannot be serialised or deserialised. */
public class PayloadException extends AgentSagaException {

    public PayloadException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public PayloadException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
