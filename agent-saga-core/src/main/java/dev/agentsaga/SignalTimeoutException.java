package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** No signal arrived within the timeout given to awaitSignal. */
public class SignalTimeoutException extends AgentSagaException {

    public SignalTimeoutException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public SignalTimeoutException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
