package dev.agentsaga.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepView;

/** A saga's journal as a readable table, and as rows for the HTTP API. */
public final class Timeline {

    private static final Map<String, String> UNDO = Map.of("bookFlight", "flight cancelled", "bookHotel",
            "hotel cancelled", "chargeCard", "card refunded", "reserve_table", "cancel_reservation (MCP)",
            "buyTickets", "refundTickets", "chargeToRoom", "refundRoomCharge");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Timeline() {
    }

    public record Row(int seq, String kind, String name, String status, int attempts, String idempotencyKey,
            String compensation, String detail) {
    }

    public static List<Row> rows(SagaView view) {
        List<Row> rows = new ArrayList<>();
        for (StepView step : view.steps()) {
            rows.add(new Row(step.seq(), step.kind().name(), step.name(), step.status().name(), step.attempts(),
                    step.idempotencyKey(), compensation(step), detail(step)));
        }
        return rows;
    }

    public static String table(SagaView view) {
        List<Row> rows = rows(view);
        int name = 4;
        int key = 15;
        int comp = 12;
        for (Row row : rows) {
            name = Math.max(name, row.name().length());
            key = Math.max(key, row.idempotencyKey().length());
            comp = Math.max(comp, row.compensation().length());
        }
        String format = "  %3s  %-6s  %-" + name + "s  %-11s  %3s  %-" + key + "s  %-" + comp + "s  %s%n";
        StringBuilder out = new StringBuilder();
        out.append(String.format(format, "seq", "kind", "name", "status", "try", "idempotency key", "compensation",
                "detail"));
        out.append("  ").append("-".repeat(3 + 6 + 11 + 3 + name + key + comp + 14 + 40)).append('\n');
        for (Row row : rows) {
            out.append(String.format(format, row.seq(), row.kind(), row.name(), row.status(), row.attempts(),
                    row.idempotencyKey(), row.compensation(), row.detail()));
        }
        return out.toString();
    }

    private static String compensation(StepView step) {
        if (step.compensatedAt() != null) {
            return "COMPENSATED: " + UNDO.getOrDefault(step.name(), "undone");
        }
        if (step.compensationError() != null) {
            return "FAILED: " + step.compensationError();
        }
        if (step.compensationNote() != null) {
            return step.compensationNote();
        }
        if (step.kind() == StepKind.ACTION && step.reversibility() != null) {
            return "-- (" + step.reversibility().name().toLowerCase() + ")";
        }
        return "--";
    }

    /**
     * A recorded result that is a JSON string (what a {@code @Tool} method or an MCP tool answered the model) as
     * its text; an MCP tool's content list as the text of its content.
     */
    private static String plain(String output) {
        String text;
        try {
            text = JSON.readValue(output, String.class);
        }
        catch (RuntimeException ex) {
            return output;
        }
        try {
            JsonNode content = JSON.readTree(text);
            if (content.isArray() && content.size() == 1 && content.path(0).has("text")) {
                return content.path(0).path("text").asString();
            }
        }
        catch (RuntimeException ex) {
            // text that is not JSON
        }
        return text;
    }

    /** The names of the compensated steps in the order their compensations ran. */
    public static List<String> compensations(SagaView view) {
        return view.steps().stream().filter(step -> step.compensatedAt() != null)
                .sorted(java.util.Comparator.comparing(StepView::compensatedAt)).map(StepView::name).toList();
    }

    private static String detail(StepView step) {
        String text;
        if (step.error() != null) {
            text = "error: " + step.error();
        }
        else if (step.kind() == StepKind.LLM && step.output() != null) {
            String output = step.output();
            int name = output.indexOf("\"name\":\"");
            text = name >= 0 ? "-> tool call " + output.substring(name + 8, output.indexOf('"', name + 8))
                    : "-> final answer";
            if (step.inputTokens() != null) {
                text += " (" + step.inputTokens() + "+" + step.outputTokens() + " tokens)";
            }
        }
        else {
            text = step.output() == null ? "" : plain(step.output());
        }
        text = text.replace('\n', ' ');
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
