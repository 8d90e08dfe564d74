package dev.agentsaga.ai;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.AgentSagaException;

/**
 * A durable agent's model asked for a tool that is not declared (no {@link ToolAction} of that name): it
 * is not run, since nobody said what it does to the world, and the saga compensates what it did.
 */
public class UndeclaredToolException extends AgentSagaException {

    public UndeclaredToolException(String tool, @Nullable String sagaId) {
        super("The agent asked for the tool '" + tool + "', which is not declared for durable agents, so it was not "
                + "run. Declare it: @SagaTool(READ_ONLY | COMPENSABLE | IRREVERSIBLE) on its @Tool method of a bean, "
                + "agent.saga.tools.default-reversibility for all undeclared tools, or SagaTools.addTool(...) "
                + "without Spring", sagaId, null, null);
    }
}
