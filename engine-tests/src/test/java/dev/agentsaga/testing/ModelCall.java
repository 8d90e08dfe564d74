package dev.agentsaga.testing;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.StepKind;
import dev.agentsaga.spi.JournaledCall;

/**
 * A model call as an integration journals it (a step of kind LLM named {@code model}), answering
 * {@code reply} with the given token counts.
 */
public record ModelCall(Map<String, String> fingerprint, String reply, int inputTokens, int outputTokens)
        implements JournaledCall<String> {

    @Override
    public String name() {
        return "model";
    }

    @Override
    public StepKind kind() {
        return StepKind.LLM;
    }

    @Override
    public Class<String> type() {
        return String.class;
    }

    @Override
    public String execute() {
        return reply;
    }

    @Override
    public int @Nullable [] tokens(String result) {
        return new int[] { inputTokens, outputTokens };
    }
}
