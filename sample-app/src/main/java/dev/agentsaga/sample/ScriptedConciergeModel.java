package dev.agentsaga.sample;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The concierge's side of the scripted model: a deterministic tool-calling conversation played from the
 * state of the conversation it is sent: search restaurants, reserve a table at the first one, find the
 * shows, buy tickets for the one the request names, charge them to the room the request names, answer.
 * Every call is logged as "[scripted model]" and counted in the table {@code model_call}.
 */
public class ScriptedConciergeModel implements ChatModel {

    private static final Logger log = LoggerFactory.getLogger(ScriptedConciergeModel.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    public ScriptedConciergeModel(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether a request is the concierge's: its system prompt is {@link ConciergeWorkflow#SYSTEM_PROMPT}. */
    static boolean plays(Prompt prompt) {
        return prompt.getInstructions().stream().filter(SystemMessage.class::isInstance)
                .anyMatch(message -> message.getText() != null && message.getText().startsWith("You are the concierge"));
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        List<Message> messages = prompt.getInstructions();
        String request = messages.stream().filter(UserMessage.class::isInstance).map(Message::getText).findFirst()
                .orElse("");
        Map<String, JsonNode> results = new HashMap<>();
        for (Message message : messages) {
            if (message instanceof ToolResponseMessage tools) {
                for (ToolResponseMessage.ToolResponse response : tools.getResponses()) {
                    results.put(response.name(), result(response.responseData()));
                }
            }
        }
        int turn = results.size() + 1;
        AssistantMessage answer = next(request, results, turn);
        jdbc.sql("INSERT INTO model_call (goal, turn, reply) VALUES (?, ?, ?)")
                .params(request, turn, answer.hasToolCalls() ? answer.getToolCalls().get(0).name() : "answer").update();
        log.info("{} concierge turn {}: {}", ScriptedTripModel.LABEL, turn, answer.hasToolCalls()
                ? "calls " + answer.getToolCalls().get(0).name() + " " + answer.getToolCalls().get(0).arguments()
                : "answers \"" + answer.getText() + "\"");
        return new ChatResponse(List.of(new Generation(answer)), ChatResponseMetadata.builder()
                .usage(new DefaultUsage(180 + 50 * turn, 30)).model("scripted-concierge-model").build());
    }

    private AssistantMessage next(String request, Map<String, JsonNode> results, int turn) {
        String date = "2027-05-14";
        String time = text(request, "(\\d{1,2}:\\d{2})", "20:00");
        int guests = Integer.parseInt(text(request, "for (\\d+)", "2"));
        int room = Integer.parseInt(text(request, "room (\\d+)", "312"));
        if (!results.containsKey("search_restaurants")) {
            return call(turn, "search_restaurants", Map.of("city", "Lisbon", "date", date, "time", time, "guests",
                    guests));
        }
        String restaurant = results.get("search_restaurants").path(0).path("restaurant").asString();
        if (!results.containsKey("reserve_table")) {
            return call(turn, "reserve_table", Map.of("restaurant", restaurant, "date", date, "time", time, "guests",
                    guests, "name", "Ana Silva"));
        }
        if (!results.containsKey("findEvents")) {
            return call(turn, "findEvents", Map.of("city", "Lisbon", "date", date));
        }
        JsonNode event = chosenEvent(request, results.get("findEvents"));
        if (!results.containsKey("buyTickets")) {
            return call(turn, "buyTickets", Map.of("event", event.path("event").asString(), "date", date, "quantity",
                    guests));
        }
        JsonNode tickets = results.get("buyTickets");
        if (!results.containsKey("chargeToRoom")) {
            return call(turn, "chargeToRoom", Map.of("room", room, "amountEur", tickets.path("totalEur").asInt(),
                    "description", guests + " tickets: " + event.path("event").asString()));
        }
        return new AssistantMessage(ScriptedTripModel.LABEL + " Arranged: a table for " + guests + " at "
                + restaurant + " on " + date + " at " + time + " (reservation "
                + results.get("reserve_table").path("reservationId").asString() + "); " + guests + " tickets for "
                + event.path("event").asString() + " at " + event.path("time").asString() + ", "
                + tickets.path("totalEur").asInt() + " EUR charged to room " + room + ".");
    }

    /** A tool's result: JSON as the tool answered it; an MCP tool's text content, parsed when it is JSON. */
    private static JsonNode result(String data) {
        JsonNode node;
        try {
            node = JSON.readTree(data);
        }
        catch (RuntimeException ex) {
            return JSON.getNodeFactory().stringNode(data);
        }
        if (node.isArray() && node.path(0).has("text")) {
            return result(node.path(0).path("text").asString());
        }
        return node.isString() && !node.asString().equals(data) ? result(node.asString()) : node;
    }

    private static JsonNode chosenEvent(String request, JsonNode events) {
        String asked = request.toLowerCase(Locale.ROOT);
        for (JsonNode event : events) {
            String firstWord = event.path("event").asString().split(" ")[0].toLowerCase(Locale.ROOT);
            if (asked.contains(firstWord)) {
                return event;
            }
        }
        return events.path(0);
    }

    private static AssistantMessage call(int turn, String tool, Map<String, Object> arguments) {
        String id = "call_" + turn + "_" + tool;
        return AssistantMessage.builder().content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall(id, "function", tool,
                        JSON.writeValueAsString(new TreeMap<>(arguments)))))
                .build();
    }

    private static String text(String text, String regex, String fallback) {
        Matcher matcher = Pattern.compile(regex, Pattern.CASE_INSENSITIVE).matcher(text);
        return matcher.find() ? matcher.group(1) : fallback;
    }
}
