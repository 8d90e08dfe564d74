package dev.agentsaga.ai.chatclient;

import java.util.Objects;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.DefaultToolCallingManager;

import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.ai.SagaChatModel;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.TripScript;

/**
 * The ChatClient trip agent and its conversation: a {@code ChatClient} on the durable model, its tool
 * calls run by the durable tool-calling manager, the {@link TripDesk} tools as default tools, called in
 * a workflow as Spring AI users call a client. The same code runs in the test JVM and in a child JVM.
 */
public final class TripChat {

    public static final String WORKFLOW = "chatTrip";

    public static final ToolCall CHARGE_CARD = new ToolCall("call_card", "chargeCard",
            "{\"amount\":1450,\"currency\":\"EUR\"}");

    public static final ToolCall SEND_ITINERARY = new ToolCall("call_itinerary", "sendItinerary",
            "{\"to\":\"ada@example.org\"}");

    private TripChat() {
    }

    /** search -> bookFlight -> bookHotel -> chargeCard -> answer: five model requests, four tool calls. */
    public static Turn[] trip() {
        return new Turn[] {
                Turn.toolCalls(120, 15, TripScript.SEARCH),
                Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT),
                Turn.toolCalls(240, 14, TripScript.BOOK_HOTEL),
                Turn.toolCalls(300, 11, CHARGE_CARD),
                Turn.answer(TripScript.ANSWER, 360, 20) };
    }

    /**
     * A client as a Spring AI user builds one, made durable at the two seams: the model is a
     * {@link SagaChatModel} and the {@link ToolCallingAdvisor}'s manager a {@link SagaToolCallingManager}.
     */
    public static ChatClient chatClient(ChatModel model, SagaTools tools, AgentLimits limits, Object toolsBean) {
        return ChatClient.builder(SagaChatModel.wrap(model, limits), ObservationRegistry.NOOP, null, null,
                        ToolCallingAdvisor.builder().toolCallingManager(new SagaToolCallingManager(
                                DefaultToolCallingManager.builder().build(), tools, limits)))
                .defaultSystem(TripScript.SYSTEM_PROMPT)
                .defaultTools(toolsBean)
                .build();
    }

    /** The declared tools of {@code toolsBean}: its @Tool methods as their @SagaTool says. */
    public static SagaTools tools(Object toolsBean) {
        return new SagaTools().addToolObject("tripDesk", toolsBean, null);
    }

    /** Registers the desk's tools and the agent on a client of the model, under {@link #WORKFLOW}. */
    public static AgentSaga.Builder configure(AgentSaga.Builder engine, TripDesk desk, ChatModel model,
            AgentLimits limits) {
        SagaTools tools = tools(desk);
        tools.register(engine);
        return engine.workflow(WORKFLOW, new Agent(chatClient(model, tools, limits, desk)));
    }

    /** The agent: the goal as the user's message, the client's answer as the saga's output. */
    public static final class Agent implements AgentWorkflow<String, String> {

        private final ChatClient chat;

        public Agent(ChatClient chat) {
            this.chat = Objects.requireNonNull(chat, "chat must not be null");
        }

        @Override
        public String run(String goal, Saga saga) {
            return chat.prompt().user(goal).call().content();
        }
    }
}
