package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** A workflow asked for an action that is not registered, or a journaled action is no longer registered. */
public class UnknownActionException extends AgentSagaException {

    public UnknownActionException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public UnknownActionException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
