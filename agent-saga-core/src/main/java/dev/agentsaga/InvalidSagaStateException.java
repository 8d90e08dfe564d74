package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** The operation does not apply to the saga in its current status; the message says which status it needs. */
public class InvalidSagaStateException extends AgentSagaException {

    public InvalidSagaStateException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public InvalidSagaStateException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
