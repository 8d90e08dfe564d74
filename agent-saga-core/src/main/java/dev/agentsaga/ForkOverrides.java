package dev.agentsaga;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What a fork ({@link SagaCoordinator#fork}) changes for the steps it runs. The workflow version picks the
 * code the fork runs (a version some node runs); the model, system prompt and options apply to the fork's
 * journaled model calls from the fork step on, through the integration that makes them (the Spring AI seam):
 * the inherited calls before the fork step replay as they were recorded. Every field is optional.
 *
 * @param workflowVersion the workflow version the fork runs, or null for the source's
 * @param model the model the fork's calls ask for, or null to keep the request's
 * @param systemPrompt the system prompt that replaces the request's, or null to keep it
 * @param options model options by name ({@code temperature}, {@code maxTokens}, {@code topP}, ...) set on the
 *        request, in addition to the model
 */
public record ForkOverrides(@Nullable String workflowVersion, @Nullable String model, @Nullable String systemPrompt,
        Map<String, Object> options) {

    private static final ForkOverrides NONE = new ForkOverrides(null, null, null, Map.of());

    public ForkOverrides {
        options = Map.copyOf(Objects.requireNonNull(options, "options must not be null"));
        requireNotBlank(workflowVersion, "workflowVersion");
        requireNotBlank(model, "model");
    }

    /** No overrides: the fork runs the same code with the same requests (a re-run from a step). */
    public static ForkOverrides none() {
        return NONE;
    }

    /** These overrides with another workflow version. */
    public ForkOverrides withWorkflowVersion(String version) {
        return new ForkOverrides(version, model, systemPrompt, options);
    }

    /** These overrides with another model. */
    public ForkOverrides withModel(String model) {
        return new ForkOverrides(workflowVersion, model, systemPrompt, options);
    }

    /** These overrides with another system prompt. */
    public ForkOverrides withSystemPrompt(String systemPrompt) {
        return new ForkOverrides(workflowVersion, model, systemPrompt, options);
    }

    /** These overrides with one more model option. */
    public ForkOverrides withOption(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(options);
        more.put(Objects.requireNonNull(name, "name must not be null"), Objects.requireNonNull(value,
                "value must not be null"));
        return new ForkOverrides(workflowVersion, model, systemPrompt, more);
    }

    /** Whether any model call changes: a model, a system prompt or an option. */
    public boolean changesModelCalls() {
        return model != null || systemPrompt != null || !options.isEmpty();
    }

    private static void requireNotBlank(@Nullable String value, String name) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank; leave it null to keep the source's");
        }
    }
}
