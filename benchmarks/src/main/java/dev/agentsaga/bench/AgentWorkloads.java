package dev.agentsaga.bench;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.annotation.Tool;

import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.AgentLoop;
import dev.agentsaga.ai.SagaModelCallAdvisor;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.bench.Workloads.Item;

/**
 * One agent task written three ways, all on the same {@link InstantModel}: an {@link AgentLoop} with its
 * tool as a {@link SagaAction}; a Spring AI {@code ChatClient} with a {@code @Tool} method, made durable by
 * agent-saga's advisor and tool-calling manager; and the same client without agent-saga. The model asks
 * for {@code toolCalls} calls of one COMPENSABLE tool, one per turn, then answers.
 */
final class AgentWorkloads {

    /** The workflow of the AgentLoop agent. */
    static final String AGENT_LOOP = "agentLoop";

    /** The workflow of the durable ChatClient agent. */
    static final String CHAT_CLIENT = "chatClientAgent";

    static final String TOOL = "reserve";

    static final String GOAL = "Reserve the items of order-4711";

    private static final String SYSTEM_PROMPT = "You reserve stock for orders, one item at a time.";

    private final int toolCalls;

    private final InstantModel model;

    private final AgentLimits limits;

    private final ReserveDesk desk = new ReserveDesk();

    AgentWorkloads(int toolCalls) {
        this.toolCalls = toolCalls;
        this.model = new InstantModel(toolCalls);
        this.limits = new AgentLimits(toolCalls + 1, Long.MAX_VALUE, 3, Duration.ofDays(1));
    }

    /** The journaled steps of one run: every model call and every tool call. */
    int stepsPerRun() {
        return 2 * toolCalls + 1;
    }

    /** Registers both durable agents, their tools as actions, on {@code builder}. */
    AgentSaga.Builder register(AgentSaga.Builder builder) {
        AgentLoop loop = AgentLoop.builder(model).systemPrompt(SYSTEM_PROMPT).tool(TOOL, Reserve.INSTANCE)
                .maxTurns(toolCalls + 1).build();
        SagaTools tools = new SagaTools().addToolObject("reserveDesk", desk, null);
        tools.register(builder);
        ChatClient durable = chatClient(new SagaToolCallingManager(DefaultToolCallingManager.builder().build(), tools,
                limits), new SagaModelCallAdvisor(limits));
        // one engine runs both agents and knows an action by one name: the model calls both tools "reserve"
        return builder.action("reserveItem", Reserve.INSTANCE)
                .workflow(AGENT_LOOP, new Timed((goal, saga) -> loop.run(saga, goal)))
                .workflow(CHAT_CLIENT, new Timed((goal, saga) -> Objects.requireNonNull(
                        durable.prompt().user(goal).call().content(), "the ChatClient agent answered no text")));
    }

    /** The same ChatClient agent without agent-saga: Spring AI's own tool-calling manager, no advisor. */
    ChatClient plainChatClient() {
        return chatClient(DefaultToolCallingManager.builder().build(), null);
    }

    /** The answer every run must end with. */
    String answer() {
        return model.answer;
    }

    private ChatClient chatClient(ToolCallingManager manager, @Nullable SagaModelCallAdvisor advisor) {
        ChatClient.Builder builder = ChatClient.builder(model, ObservationRegistry.NOOP, null, null,
                ToolCallingAdvisor.builder().toolCallingManager(manager))
                .defaultSystem(SYSTEM_PROMPT).defaultTools(desk);
        if (advisor != null) {
            builder.defaultAdvisors(advisor);
        }
        return builder.build();
    }

    /** The item of the n-th tool call, as the model asks for it and as the tool returns it. */
    static Item item(int n) {
        return new Item("order-4711-" + n, 3, "small payload for the journal");
    }

    /**
     * A model that answers at once, from the conversation alone (so that it serves any number of agents
     * and threads): while fewer than {@code toolCalls} tool results are in the prompt it asks for the next
     * call, then it answers.
     */
    static final class InstantModel implements ChatModel {

        private final int toolCalls;

        private final String answer;

        InstantModel(int toolCalls) {
            this.toolCalls = toolCalls;
            this.answer = "Reserved " + toolCalls + " items.";
        }

        @Override
        public ChatResponse call(Prompt prompt) {
            int results = 0;
            for (Message message : prompt.getInstructions()) {
                if (message instanceof ToolResponseMessage tool) {
                    results += tool.getResponses().size();
                }
            }
            AssistantMessage message;
            if (results < toolCalls) {
                int n = results + 1;
                Item item = item(n);
                String arguments = "{\"id\":\"" + item.id() + "\",\"quantity\":" + item.quantity() + ",\"note\":\""
                        + item.note() + "\"}";
                message = AssistantMessage.builder().content("")
                        .toolCalls(List.of(new AssistantMessage.ToolCall("call_" + n, "function", TOOL, arguments)))
                        .build();
            }
            else {
                message = AssistantMessage.builder().content(answer).build();
            }
            String reason = message.hasToolCalls() ? "tool_calls" : "stop";
            return new ChatResponse(List.of(new Generation(message, ChatGenerationMetadata.builder()
                    .finishReason(reason).build())), ChatResponseMetadata.builder()
                    .usage(new DefaultUsage(100 + 20 * results, 10)).model("instant").build());
        }

        /** Options that carry tools, as a provider's have: a ChatClient offers tools only to such a model. */
        @Override
        public ChatOptions getOptions() {
            return ToolCallingChatOptions.builder().model("instant").build();
        }

        @Override
        public ChatOptions getDefaultOptions() {
            return getOptions();
        }
    }

    /** The AgentLoop agent's tool: a COMPENSABLE action that returns its input. */
    static final class Reserve implements SagaAction<Item, Item> {

        static final Reserve INSTANCE = new Reserve();

        @Override
        public Item execute(Item input, ActionContext ctx) {
            return input;
        }

        @Override
        public void compensate(Item input, Item output, ActionContext ctx) {
        }

        @Override
        public String description() {
            return "Reserves the quantity of an item for an order";
        }
    }

    /** The ChatClient agent's tool, written the Spring AI way: the same as {@link Reserve}. */
    public static final class ReserveDesk {

        @Tool(name = TOOL, description = "Reserves the quantity of an item for an order")
        @SagaTool(value = Reversibility.COMPENSABLE, undo = "release")
        public Item reserve(String id, int quantity, @Nullable String note) {
            return new Item(id, quantity, note);
        }

        public void release(String id, int quantity, @Nullable String note, Item reserved) {
        }
    }

    /** Runs an agent, recording the wall time of its run inside the workflow (one saga at a time). */
    static final class Timed implements AgentWorkflow<String, String> {

        /** The time of the last run, in nanoseconds; read by the single driver after the saga rests. */
        static volatile long lastNanos;

        private final AgentWorkflow<String, String> agent;

        Timed(AgentWorkflow<String, String> agent) {
            this.agent = Objects.requireNonNull(agent, "agent must not be null");
        }

        @Override
        public String run(String goal, Saga saga) throws Exception {
            long t0 = System.nanoTime();
            String answer = agent.run(goal, saga);
            lastNanos = System.nanoTime() - t0;
            return answer;
        }
    }
}
