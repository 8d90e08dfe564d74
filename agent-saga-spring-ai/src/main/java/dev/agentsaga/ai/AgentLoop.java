package dev.agentsaga.ai;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.StepFailedException;

/**
 * A durable agent loop: model, tool calls, results, model, until the model answers without tool calls.
 * Every model call is a journaled LLM step and every tool call a journaled saga step of its action, so
 * a resumed agent rebuilds its conversation from the journal and neither asks the model again nor runs
 * an action twice. Budgets (turns, tokens, repeated calls) count journaled values, so they survive
 * restarts; a breach throws {@link AgentLoopException} and the saga compensates.
 */
public final class AgentLoop {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JournaledChatModel model;

    private final String systemPrompt;

    private final Map<String, DurableTool> tools;

    private final ChatOptions options;

    private final int maxTurns;

    private final long maxTokens;

    private final int loopGuard;

    private final Set<String> approvalRequired;

    private final Duration approvalTimeout;

    private AgentLoop(Builder builder) {
        this.model = new JournaledChatModel(builder.model);
        this.systemPrompt = builder.systemPrompt;
        this.tools = Map.copyOf(builder.tools);
        this.maxTurns = builder.maxTurns;
        this.maxTokens = builder.maxTokens;
        this.loopGuard = builder.loopGuard;
        this.approvalRequired = Set.copyOf(builder.approvalRequired);
        this.approvalTimeout = builder.approvalTimeout;
        this.options = toolOptions(builder.model, builder.options, List.copyOf(builder.tools.values()));
    }

    /** A loop on the given model. */
    public static Builder builder(ChatModel model) {
        return new Builder(model);
    }

    /** The name of the signal that approves or rejects calls of the tool. */
    public static String approvalSignal(String toolName) {
        return "approval:" + toolName;
    }

    /**
     * Runs the agent toward the goal and returns its final answer.
     * @throws AgentLoopException when a budget is exceeded or a tool call is rejected
     * @throws StepFailedException when a tool's action failed after its retries
     */
    public String run(Saga saga, String goal) {
        List<Message> conversation = new ArrayList<>();
        if (systemPrompt != null && !systemPrompt.isBlank()) {
            conversation.add(new SystemMessage(systemPrompt));
        }
        conversation.add(new UserMessage(goal));
        Map<String, Integer> repeats = new HashMap<>();
        long tokens = 0;
        for (int turn = 1;; turn++) {
            if (turn > maxTurns) {
                throw new AgentLoopException("The agent used its " + maxTurns + " turns without an answer", saga.id());
            }
            RecordedResponse response = model.call(saga, new Prompt(List.copyOf(conversation), options));
            tokens += response.inputTokens() + response.outputTokens();
            if (tokens > maxTokens) {
                throw new AgentLoopException("The agent spent " + tokens + " tokens, over its budget of " + maxTokens,
                        saga.id());
            }
            if (!response.hasToolCalls()) {
                return response.text() == null ? "" : response.text();
            }
            conversation.add(response.toMessage());
            List<ToolResponseMessage.ToolResponse> results = new ArrayList<>();
            for (ToolCallRecord call : response.toolCalls()) {
                guard(saga, repeats, call);
                results.add(new ToolResponseMessage.ToolResponse(call.id(), call.name(), execute(saga, call)));
            }
            conversation.add(ToolResponseMessage.builder().responses(results).build());
        }
    }

    private void guard(Saga saga, Map<String, Integer> repeats, ToolCallRecord call) {
        String key = call.name() + " " + canonical(call.arguments());
        int times = repeats.merge(key, 1, Integer::sum);
        if (times > loopGuard) {
            throw new AgentLoopException("The agent called " + call.name() + " with the same arguments " + times
                    + " times (the loop guard allows " + loopGuard + ")", saga.id());
        }
    }

    private String execute(Saga saga, ToolCallRecord call) {
        DurableTool tool = tools.get(call.name());
        if (tool == null) {
            return error("there is no tool named '" + call.name() + "'; the tools are " + tools.keySet());
        }
        Object input;
        try {
            input = tool.parse(call.arguments());
        }
        catch (IllegalArgumentException ex) {
            return error(ex.getMessage());
        }
        if (approvalRequired.contains(call.name())) {
            ToolApproval approval = Objects.requireNonNull(
                    saga.awaitSignal(approvalSignal(call.name()), ToolApproval.class, approvalTimeout),
                    () -> "The approval signal of " + call.name() + " carried no ToolApproval; send "
                            + "ToolApproval.approve(by, reason) or ToolApproval.reject(by, reason)");
            if (!approval.approved()) {
                throw new AgentLoopException("The call of " + call.name() + " was rejected by " + approval.by() + ": "
                        + approval.reason(), saga.id());
            }
        }
        return JSON.writeValueAsString(tool.run(saga, input));
    }

    private static String error(@Nullable String message) {
        Map<String, @Nullable String> error = new LinkedHashMap<>();
        error.put("error", message);
        return JSON.writeValueAsString(error);
    }

    private static String canonical(String arguments) {
        try {
            return JSON.writeValueAsString(JSON.readValue(arguments, Object.class));
        }
        catch (RuntimeException ex) {
            return String.valueOf(arguments);
        }
    }

    private static ChatOptions toolOptions(ChatModel model, @Nullable ChatOptions options, List<ToolCallback> tools) {
        ChatOptions base = options != null ? options : model.getOptions();
        if (base instanceof ToolCallingChatOptions toolCalling) {
            return toolCalling.mutate().toolCallbacks(tools).build();
        }
        ToolCallingChatOptions.Builder<?> builder = ToolCallingChatOptions.builder().toolCallbacks(tools);
        if (base != null) {
            builder.model(base.getModel()).temperature(base.getTemperature()).maxTokens(base.getMaxTokens());
        }
        return builder.build();
    }

    /** Configures an {@link AgentLoop}. */
    public static final class Builder {

        private final ChatModel model;

        private String systemPrompt = "";

        private final Map<String, DurableTool> tools = new LinkedHashMap<>();

        private @Nullable ChatOptions options;

        private int maxTurns = 20;

        private long maxTokens = 200_000;

        private int loopGuard = 3;

        private final Set<String> approvalRequired = new HashSet<>();

        private Duration approvalTimeout = Duration.ofDays(1);

        private Builder(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model must not be null");
        }

        public Builder systemPrompt(String systemPrompt) {
            this.systemPrompt = Objects.requireNonNull(systemPrompt, "systemPrompt must not be null");
            return this;
        }

        /** Offers an action as a tool under its name. */
        public Builder tool(SagaAction<?, ?> action) {
            ActionTool tool = ActionTool.of(action);
            tools.put(tool.getToolDefinition().name(), tool);
            return this;
        }

        /** Offers an action as a tool under the given name. */
        public Builder tool(String name, SagaAction<?, ?> action) {
            tools.put(name, ActionTool.of(name, action));
            return this;
        }

        /**
         * Offers a workflow as a tool, a sub-agent: each call runs it as a child saga and answers with its
         * output (see {@link AgentTool}).
         */
        public Builder agent(AgentTool agent) {
            tools.put(agent.name(), agent);
            return this;
        }

        /** The options of each model call (model, temperature, ...); the model's defaults when unset. */
        public Builder options(@Nullable ChatOptions options) {
            this.options = options;
            return this;
        }

        /** The most model calls the loop makes; default 20. */
        public Builder maxTurns(int maxTurns) {
            this.maxTurns = positive(maxTurns, "maxTurns");
            return this;
        }

        /** The most tokens (input and output) the loop's model calls may take in all; default 200,000. */
        public Builder maxTokens(long maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /** How often the same tool may be called with the same arguments; default 3. */
        public Builder loopGuard(int repeats) {
            this.loopGuard = positive(repeats, "loopGuard");
            return this;
        }

        /** Makes calls of the tool wait for an approval signal ({@link AgentLoop#approvalSignal}). */
        public Builder requireApproval(String toolName) {
            approvalRequired.add(Objects.requireNonNull(toolName, "toolName must not be null"));
            return this;
        }

        /** How long a tool call waits for its approval; default one day. */
        public Builder approvalTimeout(Duration approvalTimeout) {
            this.approvalTimeout = Objects.requireNonNull(approvalTimeout, "approvalTimeout must not be null");
            return this;
        }

        public AgentLoop build() {
            for (String tool : approvalRequired) {
                if (!tools.containsKey(tool)) {
                    throw new IllegalArgumentException("requireApproval names '" + tool + "', which is not a tool of "
                            + "this loop; the tools are " + tools.keySet());
                }
            }
            return new AgentLoop(this);
        }

        private static int positive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }
    }
}
