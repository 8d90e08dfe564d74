package dev.agentsaga.ai.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

import dev.agentsaga.ActionContext;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.ai.ToolAction;

/**
 * How a COMPENSABLE MCP tool is undone: by calling {@code tool}, a tool of the same server, with arguments
 * built from the original call. Each entry of {@code arguments} names an argument of the compensating tool
 * and gives a JSON Pointer (RFC 6901) to its value in this document:
 *
 * <pre>{@code
 * {
 *   "arguments":      { the original call's arguments, as the model gave them },
 *   "result":         the original call's result: the text of its text content, parsed as JSON when it is JSON,
 *   "sagaId":         "the saga's id",
 *   "idempotencyKey": "sagaId:seq, the key of the original call's step"
 * }
 * }</pre>
 *
 * For instance {@code bookingId -> /result/bookingId} and {@code flight -> /arguments/flight}. The
 * compensating call carries the saga's id and the step's idempotency key in its {@code _meta}
 * ({@value ToolAction#SAGA_ID}, {@value ToolAction#IDEMPOTENCY_KEY}), as the original call does.
 *
 * @param tool the compensating tool, by its name on the server
 * @param arguments the compensating tool's arguments, by name, each a JSON Pointer into the document above
 */
public record McpCompensation(String tool, Map<String, String> arguments) {

    private static final Set<String> ROOTS = Set.of("arguments", "result", "sagaId", "idempotencyKey");

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /**
     * @throws InvalidActionException when the tool is blank, or a pointer is not one or points outside the document
     */
    public McpCompensation {
        Objects.requireNonNull(tool, "tool must not be null");
        if (tool.isBlank()) {
            throw new InvalidActionException("A compensation names the tool of the same server that undoes the call; "
                    + "it names none", null);
        }
        arguments = Map.copyOf(Objects.requireNonNull(arguments, "arguments must not be null"));
        arguments.forEach(McpCompensation::pointer);
    }

    /**
     * Calls the compensating tool through {@code client} for the call with these arguments and recorded result.
     * @throws IllegalStateException when a pointer finds nothing, or the tool answers with an error
     */
    void call(McpSyncClient client, JsonNode callArguments, String recordedResult, ActionContext ctx) {
        McpSchema.CallToolResult outcome = client.callTool(McpSchema.CallToolRequest.builder(tool)
                .arguments(argumentsFor(callArguments, recordedResult, ctx))
                .meta(Map.of(ToolAction.SAGA_ID, ctx.sagaId(), ToolAction.IDEMPOTENCY_KEY, ctx.idempotencyKey()))
                .build());
        if (Boolean.TRUE.equals(outcome.isError())) {
            throw new IllegalStateException("The compensating tool '" + tool + "' answered with an error: "
                    + texts(JSON.valueToTree(outcome.content())));
        }
    }

    /** The compensating tool's arguments for the call with these arguments and recorded result. */
    Map<String, Object> argumentsFor(JsonNode callArguments, String recordedResult, ActionContext ctx) {
        ObjectNode document = JSON.createObjectNode();
        document.set("arguments", callArguments);
        document.set("result", result(recordedResult));
        document.put("sagaId", ctx.sagaId());
        document.put("idempotencyKey", ctx.idempotencyKey());
        Map<String, Object> built = new LinkedHashMap<>();
        arguments.forEach((name, pointer) -> {
            JsonNode value = document.at(pointer(name, pointer));
            if (value.isMissingNode()) {
                throw new IllegalStateException("The argument '" + name + "' of the compensating tool '" + tool
                        + "' is " + pointer + ", which the call of saga " + ctx.sagaId() + " does not have: "
                        + document);
            }
            built.put(name, JSON.treeToValue(value, Object.class));
        });
        return built;
    }

    /**
     * A recorded MCP result (the tool's content as JSON, as Spring AI's MCP tool callbacks return it) as the
     * document's {@code result}: the text of its text content, parsed as JSON when it is JSON, else the text.
     */
    static JsonNode result(String recorded) {
        JsonNode content = parse(recorded);
        if (content == null) {
            return StringNode.valueOf(recorded);
        }
        String text = texts(content);
        if (text == null) {
            return content;
        }
        JsonNode parsed = parse(text);
        return parsed != null ? parsed : StringNode.valueOf(text);
    }

    private static JsonPointer pointer(String name, String pointer) {
        JsonPointer compiled;
        try {
            compiled = JsonPointer.compile(pointer);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidActionException("The argument '" + name + "' of a compensation is '" + pointer
                    + "', which is not a JSON Pointer (for instance /result/bookingId): " + ex.getMessage(), null);
        }
        if (!ROOTS.contains(compiled.getMatchingProperty())) {
            throw new InvalidActionException("The argument '" + name + "' of a compensation is '" + pointer
                    + "'; it must point into /arguments, /result, /sagaId or /idempotencyKey", null);
        }
        return compiled;
    }

    private static @Nullable String texts(JsonNode content) {
        List<String> texts = new ArrayList<>();
        if (content.isArray()) {
            content.forEach(item -> {
                if (item.path("text").isString()) {
                    texts.add(item.path("text").asString());
                }
            });
        }
        return texts.isEmpty() ? null : String.join("\n", texts);
    }

    private static @Nullable JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node == null || node.isMissingNode() ? null : node;
        }
        catch (JacksonException ex) {
            return null;
        }
    }
}
