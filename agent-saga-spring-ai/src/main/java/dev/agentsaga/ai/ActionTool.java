package dev.agentsaga.ai;

import java.lang.reflect.Type;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.util.json.schema.JsonSchemaGenerator;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.agentsaga.InvalidActionException;
import dev.agentsaga.SagaAction;
import dev.agentsaga.support.SagaNames;
import dev.agentsaga.support.SagaTypes;

/**
 * A {@link SagaAction} offered to the model as a tool: its name, its description, and an input schema
 * derived from its input type. The model only proposes calls: {@link AgentLoop} runs them as journaled
 * saga steps, so {@link #call(String)} is not how the action runs.
 */
public final class ActionTool implements ToolCallback {

    /** The property a non-object input is wrapped in, since tools take JSON objects. */
    static final String WRAPPED = "input";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SagaAction<@Nullable Object, @Nullable Object> action;

    private final Type inputType;

    private final boolean wrapped;

    private final ToolDefinition definition;

    @SuppressWarnings("unchecked")
    private ActionTool(String name, SagaAction<?, ?> action) {
        this.action = (SagaAction<@Nullable Object, @Nullable Object>) Objects.requireNonNull(action,
                "action must not be null");
        Type input = SagaTypes.inputOf(action);
        if (input == null) {
            throw new InvalidActionException("The input type of action '" + name + "' cannot be resolved; declare it "
                    + "as a class implementing SagaAction<Input, Output>", null);
        }
        this.inputType = input;
        JsonNode schema = JSON.readTree(JsonSchemaGenerator.generateForType(inputType));
        this.wrapped = !"object".equals(schema.path("type").asString(""));
        String inputSchema = wrapped ? wrap(schema) : schema.toString();
        String description = action.description() == null || action.description().isBlank()
                ? "Runs the action " + name : action.description();
        this.definition = ToolDefinition.builder().name(name).description(description).inputSchema(inputSchema)
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

    /**
     * Reads the model's arguments as the action's input.
     * @throws IllegalArgumentException with a message for the model when they do not fit the schema
     */
    @Nullable Object parse(@Nullable String arguments) {
        try {
            JsonNode node = JSON.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
            if (wrapped) {
                node = node.path(WRAPPED);
            }
            return JSON.readValue(JSON.writeValueAsString(node), JSON.getTypeFactory().constructType(inputType));
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("the arguments do not match the tool's input schema: "
                    + ex.getOriginalMessage() + ". Schema: " + definition.inputSchema());
        }
    }

    private static String wrap(JsonNode schema) {
        ObjectNode object = JSON.createObjectNode();
        object.put("type", "object");
        object.putObject("properties").set(WRAPPED, schema);
        object.putArray("required").add(WRAPPED);
        return object.toString();
    }
}
