package dev.agentsaga.ai;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

import dev.agentsaga.ForkOverrides;
import dev.agentsaga.Saga;
import dev.agentsaga.StepKind;
import dev.agentsaga.spi.JournaledCall;

/**
 * Calls a Spring AI {@link ChatModel} as a journaled step of kind LLM: the response (text, tool calls,
 * finish reason, usage) is recorded with a fingerprint of the request (a prompt without options is
 * fingerprinted with the model's default options, the ones it is sent with); on replay the recording is
 * returned and the model is not called. A request that changed since it was recorded is drift, handled
 * by the engine's drift policy ({@code agent.saga.llm.drift-policy}).
 */
public final class JournaledChatModel {

    /** The step name of a model call. */
    public static final String STEP_NAME = "model";

    private final ChatModel model;

    public JournaledChatModel(ChatModel model) {
        this.model = Objects.requireNonNull(model, "model must not be null");
    }

    /** Calls the model inside the saga, or answers from the journal on replay. */
    public RecordedResponse call(Saga saga, Prompt prompt) {
        Objects.requireNonNull(saga, "saga must not be null");
        Objects.requireNonNull(prompt, "prompt must not be null");
        return journal(saga, prompt, model.getDefaultOptions(), model::call);
    }

    /**
     * Journals a model call made by {@code call} (a chat model's, or the rest of a ChatClient's advisor
     * chain): executed once, answered from the journal ever after; a prompt without options is
     * fingerprinted with {@code defaults}, the options the model sends it with. In a fork, from its fork step
     * on, the prompt is sent and fingerprinted with the fork's overrides ({@link ForkedPrompt}).
     */
    static RecordedResponse journal(Saga saga, Prompt prompt, @Nullable ChatOptions defaults,
            Function<Prompt, ChatResponse> call) {
        RecordedResponse response = saga.journal(new ModelCall(prompt, defaults, call));
        return Objects.requireNonNull(response, "the journal holds no response for this model call");
    }

    /** How many characters of a prompt's text make a token, for the estimate a rate limit reserves. */
    static final int CHARACTERS_PER_TOKEN = 4;

    /** One model call as the journal sees it: a prompt, the options it is sent with, and how it is sent. */
    private record ModelCall(Prompt prompt, @Nullable ChatOptions defaults, Function<Prompt, ChatResponse> call)
            implements JournaledCall<RecordedResponse> {

        @Override
        public String name() {
            return STEP_NAME;
        }

        @Override
        public StepKind kind() {
            return StepKind.LLM;
        }

        @Override
        public Class<RecordedResponse> type() {
            return RecordedResponse.class;
        }

        @Override
        public Map<String, String> fingerprint() {
            return RequestFingerprint.of(prompt, defaults);
        }

        @Override
        public RecordedResponse execute() {
            return RecordedResponse.of(call.apply(prompt));
        }

        @Override
        public int[] tokens(RecordedResponse result) {
            return new int[] { result.inputTokens(), result.outputTokens() };
        }

        /** The model the prompt is sent to: its options' model, else the chat model's default options' model. */
        @Override
        public @Nullable String rateKey() {
            String model = prompt.getOptions() == null ? null : prompt.getOptions().getModel();
            if (model == null && defaults != null) {
                model = defaults.getModel();
            }
            return model == null || model.isBlank() ? null : model;
        }

        /** The prompt's input tokens, estimated as a quarter of its messages' characters, rounded up. */
        @Override
        public Long estimatedTokens() {
            long characters = 0;
            for (Message message : prompt.getInstructions()) {
                String text = message.getText();
                characters += text == null ? 0 : text.length();
            }
            return (characters + CHARACTERS_PER_TOKEN - 1) / CHARACTERS_PER_TOKEN;
        }

        @Override
        public JournaledCall<RecordedResponse> overridden(ForkOverrides overrides) {
            return new ModelCall(ForkedPrompt.of(prompt, defaults, overrides), defaults, call);
        }
    }

    /** The model this calls. */
    public ChatModel model() {
        return model;
    }
}
