package dev.agentsaga.ai;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

import reactor.core.publisher.Flux;

import dev.agentsaga.Saga;

/**
 * A {@link ChatModel} that is durable inside a saga: when the calling thread runs a saga's workflow code
 * ({@link Saga#current()}), each call is a journaled LLM step, as {@link JournaledChatModel} makes one
 * (the response recorded with the fingerprint of the request and its tokens, answered from the journal
 * on replay, drift handled by the engine's policy), counted against the saga's {@link AgentLimits}.
 * Outside a saga it passes calls through. Wrap the model a {@code ChatClient} is built on (the starter
 * wraps every {@code ChatModel} bean), and the client's agents become durable as they are written.
 */
public final class SagaChatModel implements ChatModel {

    private final ChatModel model;

    private final JournaledChatModel journaled;

    private final AgentLimits limits;

    private SagaChatModel(ChatModel model, AgentLimits limits) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.journaled = new JournaledChatModel(model);
        this.limits = Objects.requireNonNull(limits, "limits must not be null");
    }

    /** The model, durable inside sagas, with the default limits. */
    public static SagaChatModel wrap(ChatModel model) {
        return wrap(model, AgentLimits.DEFAULTS);
    }

    /** The model, durable inside sagas, with the given limits. */
    public static SagaChatModel wrap(ChatModel model, AgentLimits limits) {
        return model instanceof SagaChatModel durable ? durable : new SagaChatModel(model, limits);
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        Optional<Saga> saga = Saga.current();
        if (saga.isEmpty()) {
            return model.call(prompt);
        }
        limits.beforeTurn(saga.get());
        RecordedResponse response = journaled.call(saga.get(), prompt);
        limits.afterTurn(saga.get(), response);
        return chatResponse(response);
    }

    /**
     * Streams outside a saga; inside one a stream cannot be journaled as it comes, so it is refused.
     * @throws UnsupportedOperationException inside a saga: use {@code call()}
     */
    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        if (Saga.current().isPresent()) {
            throw new UnsupportedOperationException("A streamed model response cannot be journaled; inside a saga "
                    + "use call() (ChatClient: .call() rather than .stream())");
        }
        return model.stream(prompt);
    }

    @Override
    public ChatOptions getOptions() {
        return model.getOptions();
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return model.getDefaultOptions();
    }

    /** The model this wraps. */
    public ChatModel model() {
        return model;
    }

    /** A recorded response as Spring AI's, for the caller (a ChatClient and its tool-calling loop). */
    static ChatResponse chatResponse(RecordedResponse response) {
        ChatGenerationMetadata.Builder generation = ChatGenerationMetadata.builder();
        if (response.finishReason() != null) {
            generation.finishReason(response.finishReason());
        }
        ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder()
                .usage(new DefaultUsage(response.inputTokens(), response.outputTokens()));
        if (response.model() != null) {
            metadata.model(response.model());
        }
        return new ChatResponse(List.of(new Generation(response.toMessage(), generation.build())), metadata.build());
    }
}
