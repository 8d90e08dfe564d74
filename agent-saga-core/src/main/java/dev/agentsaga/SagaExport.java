package dev.agentsaga;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.agentsaga.spi.StepRecord;

/**
 * A saga's journal as it stands, for keeping outside the database: what {@link SagaCoordinator#export}
 * gives, what a replay checks new code against, and what an archive keeps. Its JSON form
 * ({@link #toJson()}, {@link #fromJson(String)}) holds every column of the saga's row and of its steps,
 * with the payloads (inputs, outputs, errors, fingerprints) as JSON values rather than quoted text, so
 * that a file reads as what the agent did.
 *
 * @param input the saga's input as JSON text
 * @param output the saga's output as JSON text, once it completed
 * @param error why the saga is where it is, when it failed, was cancelled or needs attention
 * @param cancelRequested whether {@link SagaCoordinator#cancel} was called
 * @param erasedAt when {@link SagaCoordinator#erase} replaced the saga's payloads with {@link SagaView#ERASED},
 *        or null; written as {@code "erasedAt"} only for an erased saga, and null when read from an export
 *        without it
 * @param steps the journal in sequence order
 */
public record SagaExport(String id, String workflow, String workflowVersion, SagaStatus status,
        @Nullable String input, @Nullable String output, @Nullable String error, boolean cancelRequested,
        Instant createdAt, @Nullable Instant erasedAt, List<StepRecord> steps) {

    /** The format of the JSON form, written as {@code "format"}. */
    public static final String FORMAT = "agent-saga-journal/1";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final List<String> PAYLOADS = List.of("input", "output", "error", "fingerprint");

    public SagaExport {
        Objects.requireNonNull(id, "id must not be null");
        steps = List.copyOf(steps);
    }

    /** Whether {@link SagaCoordinator#erase} replaced the saga's payloads: its journal can no longer be replayed. */
    public boolean erased() {
        return erasedAt != null;
    }

    /** The JSON form, one object with the saga's columns and its steps. */
    public String toJson() {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree());
    }

    /** The JSON form on one line, as a JSON-lines file holds it. */
    public String toJsonLine() {
        return JSON.writeValueAsString(tree());
    }

    private ObjectNode tree() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("id", id).put("workflow", workflow).put("workflowVersion", workflowVersion)
                .put("status", status.name());
        root.set("input", payload(input));
        root.set("output", payload(output));
        root.put("error", error);
        root.put("cancelRequested", cancelRequested);
        root.put("createdAt", createdAt.toString());
        if (erasedAt != null) {
            root.put("erasedAt", erasedAt.toString());
        }
        root.set("steps", JSON.valueToTree(steps.stream().map(SagaExport::stepNode).toList()));
        return root;
    }

    /**
     * Reads the JSON form back.
     * @throws PayloadException when the text is not a journal export of this format
     */
    public static SagaExport fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (!FORMAT.equals(root.path("format").asString(""))) {
                throw new PayloadException("Not an agent-saga journal export: its format is '"
                        + root.path("format").asString("") + "', expected '" + FORMAT + "'", null, null, null);
            }
            String id = root.path("id").asString();
            List<StepRecord> steps = new ArrayList<>();
            for (JsonNode step : root.path("steps")) {
                ObjectNode columns = (ObjectNode) step.deepCopy();
                for (String payload : PAYLOADS) {
                    columns.put(payload, text(step.get(payload)));
                }
                columns.put("sagaId", id);
                steps.add(JSON.treeToValue(columns, StepRecord.class));
            }
            return new SagaExport(id, root.path("workflow").asString(), root.path("workflowVersion").asString(),
                    SagaStatus.valueOf(root.path("status").asString()), text(root.get("input")),
                    text(root.get("output")), root.path("error").isNull() ? null : root.path("error").asString(null),
                    root.path("cancelRequested").asBoolean(false), Instant.parse(root.path("createdAt").asString()),
                    root.hasNonNull("erasedAt") ? Instant.parse(root.get("erasedAt").asString()) : null, steps);
        }
        catch (JacksonException | IllegalArgumentException | ClassCastException | NullPointerException ex) {
            throw new PayloadException("Cannot read the journal export: " + ex.getMessage(), null, null, ex);
        }
    }

    private static ObjectNode stepNode(StepRecord step) {
        ObjectNode node = JSON.valueToTree(step);
        node.remove("sagaId");
        node.set("input", payload(step.input()));
        node.set("output", payload(step.output()));
        node.set("error", payload(step.error()));
        node.set("fingerprint", payload(step.fingerprint()));
        return node;
    }

    /** JSON text as a JSON value; text that is not JSON stays a string. */
    private static JsonNode payload(@Nullable String json) {
        if (json == null) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(json);
        }
        catch (JacksonException ex) {
            return JSON.getNodeFactory().stringNode(json);
        }
    }

    private static @Nullable String text(@Nullable JsonNode value) {
        return value == null || value.isNull() ? null : JSON.writeValueAsString(value);
    }
}
