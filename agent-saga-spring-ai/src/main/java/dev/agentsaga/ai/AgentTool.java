package dev.agentsaga.ai;

import java.lang.reflect.Type;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Saga;
import dev.agentsaga.support.SagaNames;
import dev.agentsaga.support.SagaTypes;

/**
 * A workflow offered to a model as a tool: a sub-agent the planner delegates to. A call of the tool runs the
 * workflow as a child saga of the calling saga ({@link Saga#child}), on any node, and answers with its output
 * as JSON; the planner's saga waits for it holding no thread, and when the planner is compensated later the
 * child is undone as a unit with the planner's other steps. Offer it to {@link AgentLoop.Builder#agent}, or to a
 * {@code ChatClient} as a tool callback together with {@link SagaTools#addAgent} (the starter adds every
 * {@code AgentTool} bean to the tools it declares). The workflow must be registered with the engine.
 */
public final class AgentTool implements DurableTool {

    private final AgentWorkflow<@Nullable Object, @Nullable Object> workflow;

    private final ToolInput input;

    private final ToolDefinition definition;

    @SuppressWarnings("unchecked")
    private AgentTool(String name, AgentWorkflow<?, ?> workflow, String description) {
        this.workflow = (AgentWorkflow<@Nullable Object, @Nullable Object>) Objects.requireNonNull(workflow,
                "workflow must not be null");
        Type inputType = SagaTypes.inputOf(workflow);
        if (inputType == null) {
            throw new InvalidActionException("The input type of workflow '" + name + "' cannot be resolved; declare "
                    + "it as a class implementing AgentWorkflow<Input, Output> to offer it as a tool", null);
        }
        this.input = new ToolInput(inputType);
        this.definition = ToolDefinition.builder().name(name).description(Objects.requireNonNull(description,
                "description must not be null")).inputSchema(input.schema()).build();
    }

    /**
     * A tool named after the workflow ({@code @SagaName}, or the decapitalised class name).
     * @param description what the sub-agent does, for the model
     */
    public static AgentTool of(AgentWorkflow<?, ?> workflow, String description) {
        return new AgentTool(SagaNames.resolve(workflow), workflow, description);
    }

    /** A tool under an explicit name, the one the model calls it by. */
    public static AgentTool of(String name, AgentWorkflow<?, ?> workflow, String description) {
        return new AgentTool(Objects.requireNonNull(name, "name must not be null"), workflow, description);
    }

    @Override
    public ToolDefinition getToolDefinition() {
        return definition;
    }

    /** Not how the sub-agent runs: inside a saga its calls are child sagas. */
    @Override
    public String call(String toolInput) {
        throw new UnsupportedOperationException("The sub-agent behind tool '" + definition.name() + "' runs as a "
                + "child saga of the calling agent's saga, inside a saga only (AgentLoop, or a ChatClient with the "
                + "starter's tool-calling manager)");
    }

    /** The workflow behind the tool. */
    public AgentWorkflow<@Nullable Object, @Nullable Object> workflow() {
        return workflow;
    }

    /** The tool's name, the one the model calls it by. */
    public String name() {
        return definition.name();
    }

    @Override
    public @Nullable Object parse(@Nullable String arguments) {
        return input.parse(arguments);
    }

    /** Runs the workflow as a child saga and waits for its output, holding no thread. */
    @Override
    public @Nullable Object run(Saga saga, @Nullable Object input) {
        return saga.child(workflow, input);
    }
}
