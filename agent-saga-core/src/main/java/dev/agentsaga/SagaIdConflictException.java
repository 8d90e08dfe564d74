package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** A saga with the given id exists and belongs to another workflow, or was started with another input. */
public class SagaIdConflictException extends AgentSagaException {

    public SagaIdConflictException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public SagaIdConflictException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
