package dev.agentsaga.autoconfigure.app;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.ForkOverrides;
import dev.agentsaga.StepKind;
import dev.agentsaga.spi.JournaledCall;

/**
 * A model call journaled as the Spring AI integration journals one (a step of kind LLM whose output has
 * {@code toolCalls}, each with a name and its arguments as JSON text): the small model picks a guest house,
 * the large one a grand hotel, and the arguments carry a secret the endpoint must mask. A fork's model
 * override reaches it through {@link #overridden}.
 */
record PlannerModel(String destination, String model) implements JournaledCall<PlannerModel.Turn> {

    static final String SMALL = "planner-small";

    static final String LARGE = "planner-large";

    static final String SECRET = "room-safe-1234";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A recorded response: what the model said, the tools it asked for, and which model answered. */
    record Turn(String text, List<ToolCall> toolCalls, String model) {

        String hotel() {
            return String.valueOf(JSON.readValue(toolCalls.get(0).arguments(), Map.class).get("hotel"));
        }
    }

    /** A tool call as a response records it. */
    record ToolCall(String name, String arguments) {
    }

    @Override
    public String name() {
        return "model";
    }

    @Override
    public StepKind kind() {
        return StepKind.LLM;
    }

    @Override
    public Class<Turn> type() {
        return Turn.class;
    }

    @Override
    public Map<String, String> fingerprint() {
        return Map.of("model", model, "messages", destination);
    }

    @Override
    public Turn execute() {
        String hotel = model.equals(LARGE) ? "Hotel Sacher" : "Pension Nina";
        String arguments = JSON.writeValueAsString(Map.of("hotel", hotel, "city", destination, "password", SECRET));
        return new Turn("I'll book " + hotel + ".", List.of(new ToolCall("bookRoom", arguments)), model);
    }

    @Override
    public int @Nullable [] tokens(Turn result) {
        return model.equals(LARGE) ? new int[] { 400, 60 } : new int[] { 120, 30 };
    }

    @Override
    public JournaledCall<Turn> overridden(ForkOverrides overrides) {
        return overrides.model() == null ? this : new PlannerModel(destination, overrides.model());
    }
}
