package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** The root of every exception agent-saga throws; carries the saga and step it concerns, when known. */
public class AgentSagaException extends RuntimeException {

    private final @Nullable String sagaId;

    private final @Nullable Integer step;

    public AgentSagaException(String message) {
        this(message, null, null, null);
    }

    public AgentSagaException(String message, @Nullable String sagaId, @Nullable Integer step,
            @Nullable Throwable cause) {
        super(message, cause);
        this.sagaId = sagaId;
        this.step = step;
    }

    /** The saga this exception concerns, if any. */
    public @Nullable String sagaId() {
        return sagaId;
    }

    /** The step sequence this exception concerns, if any. */
    public @Nullable Integer step() {
        return step;
    }
}
