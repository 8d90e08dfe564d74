package dev.agentsaga.sample;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/**
 * The model of the sample when no {@code OPENAI_API_KEY} is set: one {@code ChatModel} bean, as a real model
 * is, that plays the trip agent's conversation ({@link ScriptedTripModel}) or the concierge's
 * ({@link ScriptedConciergeModel}), told apart by the request's system prompt.
 */
public class ScriptedModel implements ChatModel {

    private final ScriptedTripModel trip;

    private final ScriptedConciergeModel concierge;

    public ScriptedModel(ScriptedTripModel trip, ScriptedConciergeModel concierge) {
        this.trip = trip;
        this.concierge = concierge;
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        return ScriptedConciergeModel.plays(prompt) ? concierge.call(prompt) : trip.call(prompt);
    }

    /**
     * Options that can carry tools, as a provider's model has: a {@code ChatClient} offers tools to a model,
     * and runs the tool calls it answers with, only when its options can carry them.
     */
    @Override
    public ChatOptions getOptions() {
        return ToolCallingChatOptions.builder().model("scripted").build();
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return getOptions();
    }
}
