package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** Thrown inside a workflow at its next step once the saga was cancelled; let it propagate so the engine compensates. */
public class SagaCancelledException extends AgentSagaException {

    public SagaCancelledException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public SagaCancelledException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
