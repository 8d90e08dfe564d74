package dev.agentsaga.ai;

import java.lang.reflect.Type;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.tool.definition.ToolDefinition;


import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.support.SagaNames;
import dev.agentsaga.support.SagaTypes;

/**
 * A {@link SagaAction} offered to the model as a tool: its name, its description, and an input schema
 * derived from its input type. The model only proposes calls: {@link AgentLoop} runs them as journaled
 * saga steps, so {@link #call(String)} is not how the action runs.
 */
public final class ActionTool implements DurableTool {

    private final SagaAction<@Nullable Object, @Nullable Object> action;

    private final ToolInput input;

    private final ToolDefinition definition;

    @SuppressWarnings("unchecked")
    private ActionTool(String name, SagaAction<?, ?> action) {
        this.action = (SagaAction<@Nullable Object, @Nullable Object>) Objects.requireNonNull(action,
                "action must not be null");
        Type inputType = SagaTypes.inputOf(action);
        if (inputType == null) {
            throw new InvalidActionException("The input type of action '" + name + "' cannot be resolved; declare it "
                    + "as a class implementing SagaAction<Input, Output>", null);
        }
        this.input = new ToolInput(inputType);
        String description = action.description() == null || action.description().isBlank()
                ? "Runs the action " + name : action.description();
        this.definition = ToolDefinition.builder().name(name).description(description).inputSchema(input.schema())
                .build();
    }

    /** A tool named after the action ({@code name()}, {@code @SagaName}, or the decapitalised class name). */
    public static ActionTool of(SagaAction<?, ?> action) {
        return new ActionTool(SagaNames.resolve(action), action);
    }

    /** A tool under an explicit name, the one the model calls it by. */
    public static ActionTool of(String name, SagaAction<?, ?> action) {
        return new ActionTool(Objects.requireNonNull(name, "name must not be null"), action);
    }

    @Override
    public ToolDefinition getToolDefinition() {
        return definition;
    }

    /** Not how the action runs: the agent loop runs it as a journaled saga step. */
    @Override
    public String call(String toolInput) {
        throw new UnsupportedOperationException("The action behind tool '" + definition.name() + "' runs as a "
                + "journaled saga step inside AgentLoop, not through Spring AI's tool execution");
    }

    /** The action behind the tool. */
    public SagaAction<@Nullable Object, @Nullable Object> action() {
        return action;
    }

    @Override
    public @Nullable Object parse(@Nullable String arguments) {
        return input.parse(arguments);
    }

    /** Runs the action as a journaled step. */
    @Override
    public @Nullable Object run(Saga saga, @Nullable Object input) {
        return saga.step(action, input);
    }
}
