package dev.agentsaga.dashboard.app;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A deterministic stand-in for a model: from the goal ("... in Lisbon at Hotel Avenida, card visa-4242")
 * and the tool results so far, it searches flights, books the cheapest, books the hotel, charges the card,
 * sends the confirmation and answers.
 */
public class TravelAgentModel implements ChatModel {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public ChatResponse call(Prompt prompt) {
        String goal = prompt.getInstructions().stream().filter(UserMessage.class::isInstance).map(Message::getText)
                .findFirst().orElse("");
        Map<String, JsonNode> results = new HashMap<>();
        for (Message message : prompt.getInstructions()) {
            if (message instanceof ToolResponseMessage tools) {
                tools.getResponses().forEach(response -> results.put(response.name(), JSON.readTree(response.responseData())));
            }
        }
        int turn = results.size() + 1;
        AssistantMessage answer = next(goal, results, turn);
        return new ChatResponse(List.of(new Generation(answer)), ChatResponseMetadata.builder()
                .usage(new DefaultUsage(180 + 70 * turn, 35 + 5 * turn)).model("travel-model-1").build());
    }

    private static AssistantMessage next(String goal, Map<String, JsonNode> results, int turn) {
        String city = find(goal, "(?:in|to) ([A-Z][a-z]+)", "Lisbon");
        String hotel = find(goal, "at ([A-Z][A-Za-z ]+?)(?:,|$)", "Hotel Avenida");
        String card = find(goal, "card ([a-z0-9-]+)", "visa-4242");
        if (!results.containsKey("searchFlights")) {
            return call(turn, "searchFlights", "I'll look for flights to " + city + " first.",
                    Map.of("to", city, "date", "2027-05-14"));
        }
        JsonNode flight = results.get("searchFlights").path(0);
        if (!results.containsKey("bookFlight")) {
            return call(turn, "bookFlight", "", Map.of("flight", flight.path("flight").asString(), "passenger",
                    "Ana Silva", "priceEur", flight.path("priceEur").asInt()));
        }
        if (!results.containsKey("bookHotel")) {
            return call(turn, "bookHotel", "", Map.of("hotel", hotel, "city", city, "nights", 3));
        }
        int total = flight.path("priceEur").asInt() + 3 * 120;
        if (!results.containsKey("chargeCard")) {
            return call(turn, "chargeCard", "Flight and hotel are booked; charging " + total + " EUR.",
                    Map.of("card", card, "amountEur", total));
        }
        if (!results.containsKey("sendConfirmation")) {
            return call(turn, "sendConfirmation", "", Map.of("to", "ana.silva@example.com", "subject",
                    "Your trip to " + city));
        }
        return new AssistantMessage("Booked flight " + flight.path("flight").asString() + " to " + city + " and 3 nights at "
                + hotel + "; charged " + total + " EUR and sent the confirmation to ana.silva@example.com.");
    }

    private static AssistantMessage call(int turn, String tool, String text, Map<String, Object> arguments) {
        return AssistantMessage.builder().content(text)
                .toolCalls(List.of(new AssistantMessage.ToolCall("call_" + turn, "function", tool,
                        JSON.writeValueAsString(new LinkedHashMap<>(new java.util.TreeMap<>(arguments))))))
                .build();
    }

    private static String find(String text, String regex, String fallback) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? matcher.group(1).trim() : fallback;
    }
}
