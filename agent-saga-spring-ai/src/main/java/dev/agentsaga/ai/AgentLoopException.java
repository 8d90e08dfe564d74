package dev.agentsaga.ai;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.AgentSagaException;

/**
 * The agent loop stopped: a budget was exceeded (turns, tokens, a tool called again and again with the
 * same arguments) or an operator rejected a tool call. Thrown out of the workflow, so the saga
 * compensates what the agent did.
 */
public class AgentLoopException extends AgentSagaException {

    public AgentLoopException(String message, @Nullable String sagaId) {
        super(message, sagaId, null, null);
    }
}
