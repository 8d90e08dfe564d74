package dev.agentsaga.ai;

import java.util.Objects;
import java.util.Optional;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.core.Ordered;

import reactor.core.publisher.Flux;

import dev.agentsaga.Saga;

/**
 * A {@code ChatClient} advisor that makes each model call of a client durable inside a saga: when the
 * calling thread runs a saga's workflow code ({@link Saga#current()}), the call the rest of the chain
 * makes is a journaled LLM step (its response recorded with the fingerprint of the request and its
 * tokens; answered from the journal on replay without asking the model; drift handled by the engine's
 * policy), counted against the saga's {@link AgentLimits}. It is ordered last before the model, after
 * Spring AI's tool-calling advisor, so that every model call of the tool-calling loop passes it. Outside
 * a saga it passes requests through. The starter adds it to every {@code ChatClient.Builder} that Spring
 * AI's auto-configuration makes; without Spring Boot, add it with {@code defaultAdvisors(...)}.
 */
public final class SagaModelCallAdvisor implements CallAdvisor, StreamAdvisor {

    /** Last before the model call itself. */
    public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

    private final AgentLimits limits;

    public SagaModelCallAdvisor(AgentLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits must not be null");
    }

    @Override
    public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
        Optional<Saga> saga = Saga.current();
        if (saga.isEmpty()) {
            return chain.nextCall(request);
        }
        limits.beforeTurn(saga.get());
        RecordedResponse response = JournaledChatModel.journal(saga.get(), request.prompt(), null,
                prompt -> Objects.requireNonNull(chain.nextCall(prompt == request.prompt() ? request
                        : request.mutate().prompt(prompt).build()).chatResponse(), "the model answered no response"));
        limits.afterTurn(saga.get(), response);
        return ChatClientResponse.builder().chatResponse(SagaChatModel.chatResponse(response))
                .context(request.context()).build();
    }

    /**
     * Streams outside a saga; inside one a stream cannot be journaled as it comes, so it is refused.
     * @throws UnsupportedOperationException inside a saga: use {@code call()}
     */
    @Override
    public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
        if (Saga.current().isPresent()) {
            throw new UnsupportedOperationException("A streamed model response cannot be journaled; inside a saga "
                    + "use the ChatClient's .call() rather than .stream()");
        }
        return chain.nextStream(request);
    }

    @Override
    public String getName() {
        return "agent-saga journaled model call";
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
