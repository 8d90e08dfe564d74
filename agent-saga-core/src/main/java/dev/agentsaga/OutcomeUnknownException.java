package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** Thrown by an action that cannot tell whether its effect happened (a timeout of a remote call, say); an IRREVERSIBLE step is then left in doubt for an operator. */
public class OutcomeUnknownException extends AgentSagaException {

    public OutcomeUnknownException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    /** For actions: the outcome of the call is unknown, for the reason given. */
    public OutcomeUnknownException(String message) {
        this(message, null, null, null);
    }

    public OutcomeUnknownException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
