package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** No workflow is registered under the requested name. */
public class UnknownWorkflowException extends AgentSagaException {

    public UnknownWorkflowException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public UnknownWorkflowException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
