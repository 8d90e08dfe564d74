package dev.agentsaga.ai;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.tool.ToolCallback;

import dev.agentsaga.Saga;

/**
 * A tool whose calls a durable agent runs as journaled steps of its saga, rather than through Spring AI's
 * tool execution: an action ({@link ActionTool}, a step) or another agent ({@link AgentTool}, a child saga).
 */
sealed interface DurableTool extends ToolCallback permits ActionTool, AgentTool {

    /**
     * Reads the model's arguments as the tool's input.
     * @throws IllegalArgumentException with a message for the model when they do not fit the schema
     */
    @Nullable Object parse(@Nullable String arguments);

    /** Runs the call in the saga, journaled: answered from the journal on replay. */
    @Nullable Object run(Saga saga, @Nullable Object input);
}
