package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** An action or workflow cannot be registered as declared (for example COMPENSABLE without a compensation). */
public class InvalidActionException extends AgentSagaException {

    public InvalidActionException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public InvalidActionException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
