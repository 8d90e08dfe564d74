package dev.agentsaga.sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * A stand-in for a real model when no {@code OPENAI_API_KEY} is set: it plays a realistic tool-calling
 * conversation, deterministically, from the state of the conversation it is sent (which tools have
 * answered): search flights, search hotels, book the cheapest flight, book the hotel the goal names (or the
 * cheapest), charge the card, send the confirmation, answer. Every call is logged as "[scripted model]" and
 * counted in the table {@code model_call}, so a reader can see the model is not asked again on resume.
 */
public class ScriptedTripModel implements ChatModel {

    public static final String LABEL = "[scripted model]";

    /** What a system prompt says after a hotel's name when the model must not book it. */
    public static final String NO_ROOMS = "has no rooms this season";

    private static final Logger log = LoggerFactory.getLogger(ScriptedTripModel.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final List<String> CITIES = List.of("Lisbon", "Porto", "Paris", "Rome", "Madrid", "Berlin");

    private final JdbcClient jdbc;

    public ScriptedTripModel(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        List<Message> messages = prompt.getInstructions();
        String goal = messages.stream().filter(UserMessage.class::isInstance).map(Message::getText).findFirst()
                .orElse("");
        Map<String, JsonNode> results = new HashMap<>();
        for (Message message : messages) {
            if (message instanceof ToolResponseMessage tools) {
                for (ToolResponseMessage.ToolResponse response : tools.getResponses()) {
                    results.put(response.name(), JSON.readTree(response.responseData()));
                }
            }
        }
        int turn = results.size() + 1;
        String system = messages.stream().filter(SystemMessage.class::isInstance).map(Message::getText).findFirst()
                .orElse("");
        AssistantMessage answer = next(goal, system, results, turn);
        jdbc.sql("INSERT INTO model_call (goal, turn, reply) VALUES (?, ?, ?)")
                .params(goal, turn, answer.hasToolCalls() ? answer.getToolCalls().get(0).name() : "answer").update();
        log.info("{} turn {}: {}", LABEL, turn, answer.hasToolCalls()
                ? "calls " + answer.getToolCalls().get(0).name() + " " + answer.getToolCalls().get(0).arguments()
                : "answers \"" + answer.getText() + "\"");
        return new ChatResponse(List.of(new Generation(answer)), ChatResponseMetadata.builder()
                .usage(new DefaultUsage(200 + 60 * turn, 40)).model("scripted-trip-model").build());
    }

    private AssistantMessage next(String goal, String system, Map<String, JsonNode> results, int turn) {
        String destination = city(goal);
        int nights = number(goal, "(\\d+)\\s*(?:nights|days)", 3);
        String date = date(goal);
        if (!results.containsKey("searchFlights")) {
            return call(turn, "searchFlights", Map.of("from", "Berlin", "to", destination, "date", date));
        }
        if (!results.containsKey("searchHotels")) {
            return call(turn, "searchHotels", Map.of("city", destination, "checkIn", date, "nights", nights));
        }
        JsonNode flight = cheapest(results.get("searchFlights"), "priceEur");
        if (!results.containsKey("bookFlight")) {
            return call(turn, "bookFlight", Map.of("flightNumber", flight.path("flightNumber").asString(), "date", date,
                    "passenger", "Ana Silva", "priceEur", flight.path("priceEur").asInt()));
        }
        JsonNode hotel = chosenHotel(goal, system, results.get("searchHotels"));
        if (!results.containsKey("bookHotel")) {
            return call(turn, "bookHotel", Map.of("hotel", hotel.path("hotel").asString(), "city", destination,
                    "checkIn", date, "nights", nights, "pricePerNightEur", hotel.path("pricePerNightEur").asInt()));
        }
        int total = results.get("bookFlight").path("priceEur").asInt() + results.get("bookHotel").path("totalEur")
                .asInt();
        if (!results.containsKey("chargeCard")) {
            return call(turn, "chargeCard", Map.of("amountEur", total, "description", "Trip to " + destination));
        }
        if (!results.containsKey("sendConfirmation")) {
            return call(turn, "sendConfirmation", Map.of("to", "ana.silva@example.com", "subject",
                    "Your trip to " + destination, "body", "Flight " + flight.path("flightNumber").asString() + ", "
                            + nights + " nights at " + hotel.path("hotel").asString() + ", " + total + " EUR."));
        }
        return new AssistantMessage(LABEL + " Booked: flight " + flight.path("flightNumber").asString() + " Berlin -> "
                + destination + " on " + date + ", " + nights + " nights at " + hotel.path("hotel").asString()
                + "; card charged " + total + " EUR (charge " + results.get("chargeCard").path("chargeId").asString()
                + "); confirmation sent to ana.silva@example.com.");
    }

    private static AssistantMessage call(int turn, String tool, Map<String, Object> arguments) {
        String id = "call_" + turn + "_" + tool;
        return AssistantMessage.builder().content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall(id, "function", tool, JSON.writeValueAsString(
                        new java.util.TreeMap<>(arguments)))))
                .build();
    }

    private static JsonNode cheapest(JsonNode offers, String price) {
        JsonNode best = null;
        for (JsonNode offer : offers) {
            if (best == null || offer.path(price).asInt() < best.path(price).asInt()) {
                best = offer;
            }
        }
        return best == null ? JSON.createObjectNode() : best;
    }

    /**
     * The hotel the goal names, unless the system prompt says it has no rooms; else the cheapest one that is not
     * sold out.
     */
    private static JsonNode chosenHotel(String goal, String system, JsonNode offers) {
        List<JsonNode> named = new ArrayList<>();
        for (JsonNode offer : offers) {
            String hotel = offer.path("hotel").asString();
            boolean noRooms = system.contains(hotel + " " + NO_ROOMS);
            if (!noRooms && goal.toLowerCase(Locale.ROOT).contains(hotel.toLowerCase(Locale.ROOT))) {
                named.add(offer);
            }
        }
        if (!named.isEmpty()) {
            return named.get(0);
        }
        JsonNode best = null;
        for (JsonNode offer : offers) {
            if (!TravelProviders.SOLD_OUT_HOTEL.equals(offer.path("hotel").asString()) && (best == null
                    || offer.path("pricePerNightEur").asInt() < best.path("pricePerNightEur").asInt())) {
                best = offer;
            }
        }
        return best == null ? cheapest(offers, "pricePerNightEur") : best;
    }

    private static String city(String goal) {
        for (String city : CITIES) {
            if (goal.toLowerCase(Locale.ROOT).contains(city.toLowerCase(Locale.ROOT))) {
                return city;
            }
        }
        return "Lisbon";
    }

    private static String date(String goal) {
        Matcher iso = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})").matcher(goal);
        if (iso.find()) {
            return iso.group(1);
        }
        String[] months = { "january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december" };
        for (int i = 0; i < months.length; i++) {
            if (goal.toLowerCase(Locale.ROOT).contains(months[i])) {
                return String.format("2027-%02d-14", i + 1);
            }
        }
        return "2027-05-14";
    }

    private static int number(String text, String regex, int fallback) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : fallback;
    }
}
