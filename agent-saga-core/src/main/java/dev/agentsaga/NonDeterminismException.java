package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** On replay the workflow asked for a different step than the journal recorded at that sequence. */
public class NonDeterminismException extends AgentSagaException {

    public NonDeterminismException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public NonDeterminismException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
