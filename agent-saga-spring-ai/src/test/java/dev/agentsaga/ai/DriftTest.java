package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.DriftPolicy;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * A saga recorded with one system prompt and resumed by an engine with another: the replayed model
 * call's request changed. Under {@link DriftPolicy#FAIL} the saga stops as NEEDS_ATTENTION naming the
 * step and what changed; under {@link DriftPolicy#REPLAY} the recording is used and the saga goes on.
 * Under FAIL, any one part of the request changed alone (the model name, an option such as the
 * temperature or the max tokens, the tools) stops the saga too, and the error names that part.
 */
class DriftTest extends AgentTestSupport {

    private static final String CHANGED_PROMPT = "You are a frugal travel agent. Always pick the cheapest option.";

    private static final ToolCall SEND_EMAIL = new ToolCall("call_email", "sendEmail",
            "{\"to\":\"ada@example.org\",\"subject\":\"Your trip\"}");

    /** The model's default options when the saga was recorded (beyond the stub's model name). */
    private static final UnaryOperator<OpenAiChatOptions.Builder> RECORDED = options -> options.temperature(0.2)
            .maxTokens(400);

    /** One part of the request changed alone between the run and the replay, and the part drift names. */
    enum Change {

        MODEL("model", options -> options.model("gpt-stub-mini")),
        TEMPERATURE("options", options -> options.temperature(0.9)),
        MAX_TOKENS("options", options -> options.maxTokens(900));

        final String part;

        private final UnaryOperator<OpenAiChatOptions.Builder> change;

        Change(String part, UnaryOperator<OpenAiChatOptions.Builder> change) {
            this.part = part;
            this.change = change;
        }

        /** The recorded defaults with this change. */
        UnaryOperator<OpenAiChatOptions.Builder> resumed() {
            return options -> change.apply(RECORDED.apply(options));
        }
    }

    /** Asks the model, parks until the signal "continue", asks again. */
    public static final class AskParkAsk implements AgentWorkflow<String, String> {

        private final String name;

        private final JournaledChatModel model;

        private final String systemPrompt;

        AskParkAsk(String name, JournaledChatModel model, String systemPrompt) {
            this.name = name;
            this.model = model;
            this.systemPrompt = systemPrompt;
        }

        @Override
        public String run(String goal, Saga saga) {
            SystemMessage system = new SystemMessage(systemPrompt);
            RecordedResponse first = model.call(saga, new Prompt(List.of(system, new UserMessage(goal))));
            saga.awaitSignal("continue", String.class, Duration.ofMinutes(10));
            RecordedResponse second = model.call(saga, new Prompt(List.of(system, new UserMessage(goal),
                    first.toMessage(), new UserMessage("And the hotel?"))));
            return first.text() + " / " + second.text();
        }

        @Override
        public String name() {
            return name;
        }
    }

    @Test
    void aChangedSystemPromptStopsTheSagaUnderFail() {
        stub.script(Turn.answer("TP941.", 100, 10), Turn.answer("Hotel Lisboa.", 150, 10));
        String sagaId = parkAfterTheFirstModelCall("driftFails");

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.FAIL)
                .workflow(new AskParkAsk("driftFails", new JournaledChatModel(stub.chatModel()), CHANGED_PROMPT)));
        resumed.signal(sagaId, "continue", "go on");
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.NEEDS_ATTENTION);

        assertThat(view.errorStep()).as("the step that drifted").isEqualTo(1);
        assertThat(view.error()).as("the error names the step and what changed").contains("model")
                .contains("messages");
        assertThat(stub.requestCount()).as("the model is not asked again").isEqualTo(1);
    }

    @Test
    void aChangedSystemPromptIsReplayedUnderReplay() {
        stub.script(Turn.answer("TP941.", 100, 10), Turn.answer("Hotel Lisboa.", 150, 10));
        String sagaId = parkAfterTheFirstModelCall("driftReplays");

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.REPLAY)
                .workflow(new AskParkAsk("driftReplays", new JournaledChatModel(stub.chatModel()), CHANGED_PROMPT)));
        resumed.signal(sagaId, "continue", "go on");
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.COMPLETED);

        assertThat(view.output()).contains("TP941. / Hotel Lisboa.");
        assertThat(stub.requestCount()).as("only the second call asks the model").isEqualTo(2);
        assertThat(stub.messages(2).get(0).path("content").toString()).contains(CHANGED_PROMPT);
        assertThat(view.tokensReplayed()).as("the first call, answered from the journal after the wait")
                .isEqualTo(110);
        assertThat(view.tokensSaved()).as("no recovery: the saga resumed after a wait").isZero();
    }

    @Test
    void anAgentResumedWithAChangedSystemPromptStopsUnderFail() {
        stub.script(Turn.toolCalls(100, 10, SEND_EMAIL), Turn.answer("Sent.", 150, 10));
        String sagaId = parkAgentOnApproval("agentDriftFails");

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.FAIL)
                .workflow(new TripAgent("agentDriftFails", emailLoop(CHANGED_PROMPT))));
        resumed.signal(sagaId, "approval:sendEmail", ToolApproval.approve("ops", "ok"));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.NEEDS_ATTENTION);

        assertThat(view.errorStep()).isEqualTo(1);
        assertThat(view.error()).contains("model").contains("messages");
        assertThat(ledger.attemptCount(sagaId, "sendEmail", Kind.EXECUTE)).as("the e-mail is not sent").isZero();
        assertThat(stub.requestCount()).isEqualTo(1);
    }

    @Test
    void anAgentResumedWithAChangedSystemPromptGoesOnUnderReplay() {
        stub.script(Turn.toolCalls(100, 10, SEND_EMAIL), Turn.answer("Sent.", 150, 10));
        String sagaId = parkAgentOnApproval("agentDriftReplays");

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.REPLAY)
                .workflow(new TripAgent("agentDriftReplays", emailLoop(CHANGED_PROMPT))));
        resumed.signal(sagaId, "approval:sendEmail", ToolApproval.approve("ops", "ok"));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.COMPLETED);

        assertThat(view.output()).contains("Sent.");
        assertThat(ledger.executed(sagaId)).containsExactly("sendEmail");
        assertThat(stub.requestCount()).isEqualTo(2);
    }

    @Test
    void aChangedSystemPromptAsksTheModelAgainUnderReexecuteWhenNothingChangedTheWorldSince() {
        stub.script(Turn.answer("TP941.", 100, 10), Turn.answer("LX2084.", 110, 10), Turn.answer("Hotel Lisboa.", 150, 10));
        String sagaId = parkAfterTheFirstModelCall("driftReexecutes");

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.REEXECUTE)
                .workflow(new AskParkAsk("driftReexecutes", new JournaledChatModel(stub.chatModel()), CHANGED_PROMPT)));
        resumed.signal(sagaId, "continue", "go on");
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.COMPLETED);

        assertThat(view.output()).contains("LX2084. / Hotel Lisboa.");
        assertThat(stub.requestCount()).as("the drifted call is asked again, then the second").isEqualTo(3);
        assertThat(stub.messages(2).get(0).path("content").toString()).contains(CHANGED_PROMPT);
    }

    @Test
    void reexecuteStopsTheSagaWhenABookingCameAfterTheDriftedCall() {
        stub.script(Turn.toolCalls(100, 10, TripScript.BOOK_FLIGHT), Turn.toolCalls(120, 10, SEND_EMAIL),
                Turn.answer("Sent.", 150, 10));
        SagaEngine first = started(agentEngine()
                .workflow(new TripAgent("agentDriftReexecute", bookAndEmailLoop(TripScript.SYSTEM_PROMPT))));
        SagaHandle handle = first.start("agentDriftReexecute", TripScript.GOAL);
        awaitRest(first, handle.id(), SagaStatus.WAITING);
        first.shutdown(Duration.ofSeconds(2));

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.REEXECUTE)
                .workflow(new TripAgent("agentDriftReexecute", bookAndEmailLoop(CHANGED_PROMPT))));
        resumed.signal(handle.id(), "approval:sendEmail", ToolApproval.approve("ops", "ok"));
        SagaView view = awaitRest(resumed, handle.id(), SagaStatus.NEEDS_ATTENTION);

        assertThat(view.errorStep()).isEqualTo(1);
        assertThat(view.error()).contains("messages");
        assertThat(ledger.attemptCount(handle.id(), "bookFlight", Kind.EXECUTE)).isEqualTo(1);
        assertThat(stub.requestCount()).as("the model is not asked again").isEqualTo(2);
    }

    @Test
    void anAgentResumedWithAnotherToolSetNamesTheToolsAsWhatChanged() {
        stub.script(Turn.toolCalls(100, 10, SEND_EMAIL), Turn.answer("Sent.", 150, 10));
        String sagaId = parkAgentOnApproval("agentToolsDrift");

        AgentLoop withAnotherTool = AgentLoop.builder(stub.chatModel())
                .systemPrompt(TripScript.SYSTEM_PROMPT)
                .tool(tools.sendEmail)
                .tool(tools.rentCar)
                .requireApproval("sendEmail")
                .approvalTimeout(Duration.ofMinutes(10))
                .build();
        SagaEngine resumed = started(agentEngine().workflow(new TripAgent("agentToolsDrift", withAnotherTool)));
        resumed.signal(sagaId, "approval:sendEmail", ToolApproval.approve("ops", "ok"));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.NEEDS_ATTENTION);

        assertThat(view.error()).as("the default policy is FAIL; the error names what changed").contains("tools")
                .doesNotContain("messages");
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void anAgentResumedWithAnotherModelOrOptionStopsUnderFailNamingThatPart(Change change) {
        stub.script(Turn.toolCalls(100, 10, SEND_EMAIL), Turn.answer("Sent.", 150, 10));
        String workflow = "agentDrift" + change.name();
        String sagaId = parkAgentOnApproval(workflow, emailLoop(stub.chatModel(RECORDED), TripScript.SYSTEM_PROMPT));

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.FAIL).workflow(
                new TripAgent(workflow, emailLoop(stub.chatModel(change.resumed()), TripScript.SYSTEM_PROMPT))));
        resumed.signal(sagaId, "approval:sendEmail", ToolApproval.approve("ops", "ok"));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.NEEDS_ATTENTION);

        assertThat(view.errorStep()).isEqualTo(1);
        assertThat(view.error()).as("the error names the part that changed, and only that one")
                .contains("the request changed since it was recorded (" + change.part + ")");
        assertThat(ledger.attemptCount(sagaId, "sendEmail", Kind.EXECUTE)).as("the e-mail is not sent").isZero();
        assertThat(stub.requestCount()).as("the model is not asked again").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void aModelCallResumedWithAnotherModelOrOptionStopsUnderFailNamingThatPart(Change change) {
        stub.script(Turn.answer("TP941.", 100, 10), Turn.answer("Hotel Lisboa.", 150, 10));
        String workflow = "callDrift" + change.name();
        String sagaId = parkAfterTheFirstModelCall(workflow, stub.chatModel(RECORDED));

        SagaEngine resumed = started(agentEngine().driftPolicy(DriftPolicy.FAIL).workflow(new AskParkAsk(workflow,
                new JournaledChatModel(stub.chatModel(change.resumed())), TripScript.SYSTEM_PROMPT)));
        resumed.signal(sagaId, "continue", "go on");
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.NEEDS_ATTENTION);

        assertThat(view.errorStep()).isEqualTo(1);
        assertThat(view.error()).as("the error names the part that changed, and only that one")
                .contains("the request changed since it was recorded (" + change.part + ")");
        assertThat(stub.requestCount()).as("the model is not asked again").isEqualTo(1);
    }

    /** Runs the first model call on an engine with the original prompt and stops that engine. */
    private String parkAfterTheFirstModelCall(String workflow) {
        return parkAfterTheFirstModelCall(workflow, stub.chatModel());
    }

    private String parkAfterTheFirstModelCall(String workflow, ChatModel model) {
        SagaEngine first = started(agentEngine()
                .workflow(new AskParkAsk(workflow, new JournaledChatModel(model), TripScript.SYSTEM_PROMPT)));
        SagaHandle handle = first.start(workflow, TripScript.GOAL);
        awaitRest(first, handle.id(), SagaStatus.WAITING);
        first.shutdown(Duration.ofSeconds(2));
        assertThat(stub.requestCount()).isEqualTo(1);
        return handle.id();
    }

    /** Runs the agent with the original prompt until it waits for approval, and stops that engine. */
    private String parkAgentOnApproval(String workflow) {
        return parkAgentOnApproval(workflow, emailLoop(TripScript.SYSTEM_PROMPT));
    }

    private String parkAgentOnApproval(String workflow, AgentLoop loop) {
        SagaEngine first = started(agentEngine().workflow(new TripAgent(workflow, loop)));
        SagaHandle handle = first.start(workflow, TripScript.GOAL);
        awaitRest(first, handle.id(), SagaStatus.WAITING);
        first.shutdown(Duration.ofSeconds(2));
        assertThat(stub.requestCount()).isEqualTo(1);
        return handle.id();
    }

    private AgentLoop bookAndEmailLoop(String systemPrompt) {
        return AgentLoop.builder(stub.chatModel())
                .systemPrompt(systemPrompt)
                .tool(tools.bookFlight)
                .tool(tools.sendEmail)
                .requireApproval("sendEmail")
                .approvalTimeout(Duration.ofMinutes(10))
                .build();
    }

    private AgentLoop emailLoop(String systemPrompt) {
        return emailLoop(stub.chatModel(), systemPrompt);
    }

    private AgentLoop emailLoop(ChatModel model, String systemPrompt) {
        return AgentLoop.builder(model)
                .systemPrompt(systemPrompt)
                .tool(tools.sendEmail)
                .requireApproval("sendEmail")
                .approvalTimeout(Duration.ofMinutes(10))
                .build();
    }
}
