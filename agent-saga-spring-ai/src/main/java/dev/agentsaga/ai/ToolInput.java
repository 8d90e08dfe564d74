package dev.agentsaga.ai;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.util.json.schema.JsonSchemaGenerator;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The input of a tool a durable agent offers the model: the JSON schema derived from a Java type, and the
 * model's arguments read back as that type. Tools take JSON objects, so an input that is not one (a string,
 * a number, a list) is wrapped in the property {@value #WRAPPED}.
 */
final class ToolInput {

    /** The property a non-object input is wrapped in, since tools take JSON objects. */
    static final String WRAPPED = "input";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Type type;

    private final boolean wrapped;

    private final String schema;

    ToolInput(Type type) {
        this.type = type;
        JsonNode schema = JSON.readTree(JsonSchemaGenerator.generateForType(type));
        this.wrapped = !"object".equals(schema.path("type").asString(""));
        this.schema = wrapped ? wrap(schema) : schema.toString();
    }

    /** The input schema the model sees. */
    String schema() {
        return schema;
    }

    /**
     * Reads the model's arguments as the input.
     * @throws IllegalArgumentException with a message for the model when they do not fit the schema
     */
    @Nullable Object parse(@Nullable String arguments) {
        try {
            JsonNode node = JSON.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
            if (wrapped) {
                node = node.path(WRAPPED);
            }
            return JSON.readValue(JSON.writeValueAsString(node), JSON.getTypeFactory().constructType(type));
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("the arguments do not match the tool's input schema: "
                    + ex.getOriginalMessage() + ". Schema: " + schema);
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
