package dev.agentsaga.ai;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

import dev.agentsaga.ForkOverrides;

/**
 * A prompt as a fork sends it from its fork step on ({@link dev.agentsaga.SagaCoordinator#fork}): its system
 * message replaced by the overrides' system prompt (added first when it has none), and its options (the
 * model's defaults when it has none) with the overrides' model and options set. The options a fork may set
 * are the portable ones of {@link ChatOptions}: {@code temperature}, {@code maxTokens}, {@code topP},
 * {@code topK}, {@code frequencyPenalty}, {@code presencePenalty}, {@code stopSequences}.
 */
final class ForkedPrompt {

    private ForkedPrompt() {
    }

    static Prompt of(Prompt prompt, @Nullable ChatOptions defaults, ForkOverrides overrides) {
        Prompt forked = overrides.systemPrompt() == null ? prompt : prompt.augmentSystemMessage(overrides.systemPrompt());
        if (overrides.model() == null && overrides.options().isEmpty()) {
            return forked;
        }
        ChatOptions base = forked.getOptions() != null ? forked.getOptions() : defaults;
        ChatOptions.Builder<?> options = base != null ? base.mutate() : ChatOptions.builder();
        if (overrides.model() != null) {
            options.model(overrides.model());
        }
        overrides.options().forEach((name, value) -> set(options, name, value));
        return forked.mutate().chatOptions(options.build()).build();
    }

    @SuppressWarnings("unchecked")
    private static void set(ChatOptions.Builder<?> options, String name, Object value) {
        try {
            switch (name) {
                case "temperature" -> options.temperature(((Number) value).doubleValue());
                case "maxTokens" -> options.maxTokens(((Number) value).intValue());
                case "topP" -> options.topP(((Number) value).doubleValue());
                case "topK" -> options.topK(((Number) value).intValue());
                case "frequencyPenalty" -> options.frequencyPenalty(((Number) value).doubleValue());
                case "presencePenalty" -> options.presencePenalty(((Number) value).doubleValue());
                case "stopSequences" -> options.stopSequences(((List<Object>) value).stream().map(String::valueOf)
                        .toList());
                default -> throw new IllegalArgumentException("The fork overrides the option '" + name + "', which a "
                        + "model call cannot set; the options a fork may set are " + OPTIONS);
            }
        }
        catch (ClassCastException ex) {
            throw new IllegalArgumentException("The fork's option '" + name + "' is " + value + ", which is not a "
                    + ("stopSequences".equals(name) ? "list of strings" : "number"), ex);
        }
    }

    private static final List<String> OPTIONS = List.of("temperature", "maxTokens", "topP", "topK",
            "frequencyPenalty", "presencePenalty", "stopSequences");

}
