package dev.agentsaga.ai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.definition.ToolDefinition;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.Saga;

/**
 * A {@link ToolCallingManager} that is durable inside a saga: when the calling thread runs a saga's
 * workflow code, each tool call a model response asks for runs as a journaled step of the
 * {@link ToolAction} declared under the tool's name (key {@code sagaId:seq}), after the loop guard and,
 * for a tool that needs one, the approval signal {@code approval:<tool>}; on replay the steps return the
 * recorded results and no tool runs. A tool that is not declared is not run: the call fails with
 * {@link UndeclaredToolException}. Outside a saga it hands the calls to the manager it wraps. Spring AI's
 * {@code ToolCallingAdvisor}, which every {@code ChatClient} registers, executes tool calls through the
 * {@code ToolCallingManager} bean, which the starter wraps.
 */
public final class SagaToolCallingManager implements ToolCallingManager {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ToolCallingManager manager;

    private final Supplier<SagaTools> tools;

    private final AgentLimits limits;

    public SagaToolCallingManager(ToolCallingManager manager, SagaTools tools, AgentLimits limits) {
        this(manager, supplier(tools), limits);
    }

    /**
     * A manager that looks the tools up when a saga first calls one, for tools that are not known yet when
     * the manager is made (the starter's: scanning the beans for tools while the beans that hold them are
     * still being created would be a circular reference).
     */
    public SagaToolCallingManager(ToolCallingManager manager, Supplier<SagaTools> tools, AgentLimits limits) {
        this.manager = Objects.requireNonNull(manager, "manager must not be null");
        this.tools = Objects.requireNonNull(tools, "tools must not be null");
        this.limits = Objects.requireNonNull(limits, "limits must not be null");
    }

    private static Supplier<SagaTools> supplier(SagaTools tools) {
        Objects.requireNonNull(tools, "tools must not be null");
        return () -> tools;
    }

    @Override
    public List<ToolDefinition> resolveToolDefinitions(ToolCallingChatOptions options) {
        return manager.resolveToolDefinitions(options);
    }

    @Override
    public ToolExecutionResult executeToolCalls(Prompt prompt, ChatResponse response) {
        Optional<Saga> saga = Saga.current();
        if (saga.isEmpty()) {
            return manager.executeToolCalls(prompt, response);
        }
        AssistantMessage asked = response.getResults().stream().map(Generation::getOutput)
                .filter(AssistantMessage::hasToolCalls).findFirst()
                .orElseThrow(() -> new IllegalStateException("No tool call in the response to execute"));
        Map<String, Object> context = prompt.getOptions() instanceof ToolCallingChatOptions options
                && options.getToolContext() != null ? options.getToolContext() : Map.of();
        SagaTools tools = this.tools.get();
        List<ToolResponseMessage.ToolResponse> results = new ArrayList<>();
        boolean returnDirect = true;
        for (AssistantMessage.ToolCall call : asked.getToolCalls()) {
            Optional<AgentTool> agent = tools.findAgent(call.name());
            if (agent.isPresent()) {
                results.add(new ToolResponseMessage.ToolResponse(call.id(), call.name(), delegate(saga.get(),
                        agent.get(), call)));
                returnDirect = false;
                continue;
            }
            ToolAction tool = tools.find(call.name()).orElseThrow(() -> new UndeclaredToolException(call.name(),
                    saga.get().id()));
            results.add(new ToolResponseMessage.ToolResponse(call.id(), call.name(),
                    tools.withRequestContext(saga.get().id(), context, () -> execute(saga.get(), tool, call))));
            returnDirect = returnDirect && tool.returnDirect();
        }
        List<Message> conversation = new ArrayList<>(prompt.getInstructions());
        conversation.add(asked);
        conversation.add(ToolResponseMessage.builder().responses(results).build());
        return ToolExecutionResult.builder().conversationHistory(conversation).returnDirect(returnDirect).build();
    }

    private String execute(Saga saga, ToolAction tool, AssistantMessage.ToolCall call) {
        JsonNode arguments;
        try {
            arguments = JSON.readTree(call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments());
        }
        catch (JacksonException ex) {
            // the model sees its mistake and may correct it; no step is journaled, so a replay sees the same
            return error("the arguments are not JSON: " + ex.getOriginalMessage());
        }
        limits.beforeToolCall(saga, call.name(), arguments.toString());
        if (tool.approval()) {
            ToolApproval approval = saga.awaitSignal(AgentLoop.approvalSignal(call.name()), ToolApproval.class,
                    limits.approvalTimeout());
            if (approval == null || !approval.approved()) {
                throw new AgentLoopException("The call of " + call.name() + " was rejected"
                        + (approval == null ? "" : " by " + approval.by() + ": " + approval.reason()), saga.id());
            }
        }
        return saga.step(tool, arguments);
    }

    /** Runs a sub-agent's call as a child saga and answers with its output as JSON. */
    private String delegate(Saga saga, AgentTool agent, AssistantMessage.ToolCall call) {
        Object input;
        try {
            input = agent.parse(call.arguments());
        }
        catch (IllegalArgumentException ex) {
            return error(String.valueOf(ex.getMessage()));
        }
        limits.beforeToolCall(saga, call.name(), String.valueOf(call.arguments()));
        return JSON.writeValueAsString(agent.run(saga, input));
    }

    private static String error(String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("error", message);
        return JSON.writeValueAsString(error);
    }
}
