package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * An IRREVERSIBLE tool that requires approval parks the saga until the signal {@code approval:<tool>}
 * arrives: approved, the tool runs and the agent finishes; rejected, the saga compensates.
 */
class AgentApprovalTest extends AgentTestSupport {

    private static final ToolCall SEND_EMAIL = new ToolCall("call_email", "sendEmail",
            "{\"to\":\"ada@example.org\",\"subject\":\"Your trip to Lisbon\"}");

    private static final String ANSWER = "Booked TP941 and sent you the itinerary.";

    private static final Turn[] SCRIPT = {
            Turn.toolCalls(120, 15, TripScript.BOOK_FLIGHT),
            Turn.toolCalls(180, 12, SEND_EMAIL),
            Turn.answer(ANSWER, 240, 20) };

    @Test
    void anApprovedToolRunsAfterTheSignalAndTheAgentFinishes() {
        stub.script(SCRIPT);
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripApproved", approvingLoop())));
        SagaHandle handle = engine.start("tripApproved", TripScript.GOAL);

        SagaView waiting = awaitRest(engine, handle.id(), SagaStatus.WAITING);
        pause(Duration.ofMillis(600));

        assertThat(view(engine, handle.id()).status()).isEqualTo(SagaStatus.WAITING);
        assertThat(ledger.executed(handle.id())).as("before approval").containsExactly("bookFlight");
        assertThat(ledger.attemptCount(handle.id(), "sendEmail", Kind.EXECUTE)).isZero();
        assertThat(stub.requestCount()).as("model requests while waiting").isEqualTo(2);
        assertThat(steps(waiting, StepKind.SIGNAL)).as("the wait for approval is journaled").hasSize(1);

        engine.signal(handle.id(), "approval:sendEmail", ToolApproval.approve("ops", "ok"));
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(view.output()).contains(ANSWER);
        assertThat(ledger.executed(handle.id())).containsExactly("bookFlight", "sendEmail");
        assertThat(ledger.attemptCount(handle.id(), "sendEmail", Kind.EXECUTE)).isEqualTo(1);
        assertThat(stub.requestCount()).as("the resumed agent asks only the question not yet answered").isEqualTo(3);
        assertThat(stub.unscriptedRequests()).isZero();
        assertThat(stub.toolMessages(3)).extracting(m -> m.path("tool_call_id").asString())
                .containsExactly("call_flight", "call_email");
        assertThat(view.tokensReplayed()).as("the two model calls answered from the journal on resume")
                .isEqualTo(TripScript.tokens(SCRIPT[0], SCRIPT[1]));
        assertThat(view.tokensSaved()).as("waiting for an approval is not a recovery").isZero();
        assertEffectsOncePerKeyFromTheJournal(view);
    }

    @Test
    void aRejectedToolDoesNotRunAndTheSagaCompensates() {
        stub.script(SCRIPT);
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripRejected", approvingLoop())));
        SagaHandle handle = engine.start("tripRejected", TripScript.GOAL);
        awaitRest(engine, handle.id(), SagaStatus.WAITING);

        engine.signal(handle.id(), "approval:sendEmail", ToolApproval.reject("ops", "not before payment"));
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(ledger.attemptCount(handle.id(), "sendEmail", Kind.EXECUTE)).isZero();
        assertThat(ledger.compensated(handle.id())).containsExactly("bookFlight");
        assertThat(view.error()).as("why the saga stopped").containsIgnoringCase("reject")
                .contains("not before payment");
        assertThat(stub.requestCount()).as("no model request after the rejection").isEqualTo(2);
        assertEffectsOncePerKeyFromTheJournal(view);
    }

    @Test
    void everyCallOfAToolThatRequiresApprovalWaitsForItsOwnApproval() {
        ToolCall second = new ToolCall("call_email_2", "sendEmail",
                "{\"to\":\"charles@example.org\",\"subject\":\"Ada's trip to Lisbon\"}");
        stub.script(Turn.toolCalls(120, 15, SEND_EMAIL), Turn.toolCalls(150, 15, second), Turn.answer(ANSWER, 200, 10));
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripTwoApprovals", approvingLoop())));
        SagaHandle handle = engine.start("tripTwoApprovals", TripScript.GOAL);
        awaitRest(engine, handle.id(), SagaStatus.WAITING);

        engine.signal(handle.id(), "approval:sendEmail", ToolApproval.approve("ops", "first one is fine"));
        awaitEmails(handle.id(), 1);
        SagaView waitingAgain = awaitRest(engine, handle.id(), SagaStatus.WAITING);

        assertThat(steps(waitingAgain, StepKind.SIGNAL)).as("two waits for approval%s", describe(waitingAgain))
                .hasSize(2);
        assertThat(ledger.attemptCount(handle.id(), "sendEmail", Kind.EXECUTE)).as("e-mails before the second approval")
                .isEqualTo(1);

        engine.signal(handle.id(), "approval:sendEmail", ToolApproval.approve("ops", "second one too"));
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(ledger.executed(handle.id())).containsExactly("sendEmail", "sendEmail");
        assertThat(stub.requestCount()).isEqualTo(3);
        assertEffectsOncePerKeyFromTheJournal(view);
    }

    @Test
    void anApprovalThatDoesNotComeInTimeCompensatesWithoutRunningTheTool() {
        stub.script(SCRIPT);
        AgentLoop loop = AgentLoop.builder(stub.chatModel())
                .systemPrompt(TripScript.SYSTEM_PROMPT)
                .tool(tools.bookFlight)
                .tool(tools.sendEmail)
                .requireApproval("sendEmail")
                .approvalTimeout(Duration.ofMillis(500))
                .build();
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripApprovalTimesOut", loop)));

        SagaHandle handle = engine.start("tripApprovalTimesOut", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(ledger.attemptCount(handle.id(), "sendEmail", Kind.EXECUTE)).isZero();
        assertThat(ledger.compensated(handle.id())).containsExactly("bookFlight");
        assertThat(stub.requestCount()).isEqualTo(2);
    }

    private void awaitEmails(String sagaId, int count) {
        long deadline = System.nanoTime() + REST.toNanos();
        while (ledger.attemptCount(sagaId, "sendEmail", Kind.EXECUTE) < count && System.nanoTime() < deadline) {
            pause(Duration.ofMillis(25));
        }
    }

    private AgentLoop approvingLoop() {
        return AgentLoop.builder(stub.chatModel())
                .systemPrompt(TripScript.SYSTEM_PROMPT)
                .tool(tools.bookFlight)
                .tool(tools.sendEmail)
                .requireApproval("sendEmail")
                .approvalTimeout(Duration.ofMinutes(10))
                .build();
    }
}
