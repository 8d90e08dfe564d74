package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.testing.EffectLedger.Effect;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * Budgets end a runaway agent with an {@link AgentLoopException} out of the workflow, so the saga
 * compensates what the agent booked: the loop guard, the token budget and the turn budget.
 */
class AgentBudgetTest extends AgentTestSupport {

    @Test
    void theLoopGuardStopsAModelThatKeepsCallingTheSameToolWithTheSameArguments() {
        stub.script(Turn.toolCalls(120, 15, TripScript.SEARCH))
                .thenRepeat(Turn.toolCalls(150, 12, TripScript.BOOK_FLIGHT));
        AgentLoop loop = TripScript.tripLoop(stub.chatModel(), tools).loopGuard(2).maxTurns(50).build();
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripLoopGuard", loop)));

        SagaHandle handle = engine.start("tripLoopGuard", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(ledger.executed(handle.id())).as("the same booking is allowed twice, not a third time")
                .containsExactly("searchFlights", "bookFlight", "bookFlight");
        List<Effect> bookings = ledger.effects(handle.id(), Kind.EXECUTE).stream()
                .filter(e -> e.action().equals("bookFlight")).toList();
        assertThat(ledger.effects(handle.id(), Kind.COMPENSATE)).as("compensations, in order")
                .extracting(Effect::idempotencyKey)
                .containsExactly(bookings.get(1).idempotencyKey(), bookings.get(0).idempotencyKey());
        assertThat(actionSteps(view, "bookFlight")).extracting(StepView::status)
                .containsOnly(StepStatus.COMPENSATED);
        assertThat(view.error()).as("why the saga stopped").containsIgnoringCase("guard");
        assertThat(stub.requestCount()).as("model requests: search, three identical bookings").isEqualTo(4);
        assertEffectsOncePerKeyFromTheJournal(view);
    }

    @Test
    void aSagaOverItsTokenBudgetStopsAndCompensates() {
        stub.script(
                Turn.toolCalls(200, 20, TripScript.SEARCH),
                Turn.toolCalls(250, 20, TripScript.BOOK_FLIGHT),
                Turn.toolCalls(300, 20, TripScript.BOOK_HOTEL),
                Turn.answer(TripScript.ANSWER, 350, 20));
        AgentLoop loop = TripScript.tripLoop(stub.chatModel(), tools).maxTokens(500).build();
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripTokenBudget", loop)));

        SagaHandle handle = engine.start("tripTokenBudget", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(stub.requestCount()).as("the third response takes the saga to 810 tokens, over 500").isEqualTo(3);
        assertThat(ledger.executed(handle.id())).as("the tools of the response over budget do not run")
                .containsExactly("searchFlights", "bookFlight");
        assertThat(ledger.compensated(handle.id())).containsExactly("bookFlight");
        assertThat(view.tokensSpent()).isEqualTo(810);
        assertThat(view.error()).as("why the saga stopped").containsIgnoringCase("token");
        assertEffectsOncePerKeyFromTheJournal(view);
    }

    @Test
    void theTokenBudgetCountsTheTokensSpentBeforeTheSagaWasResumed() {
        ToolCall email = new ToolCall("call_email", "sendEmail", "{\"to\":\"ada@example.org\",\"subject\":\"Trip\"}");
        stub.script(
                Turn.toolCalls(200, 20, TripScript.BOOK_FLIGHT),
                Turn.toolCalls(200, 20, email),
                Turn.toolCalls(200, 20, TripScript.BOOK_HOTEL),
                Turn.answer(TripScript.ANSWER, 200, 20));
        AgentLoop loop = AgentLoop.builder(stub.chatModel())
                .systemPrompt(TripScript.SYSTEM_PROMPT)
                .tool(tools.bookFlight)
                .tool(tools.bookHotel)
                .tool(tools.sendEmail)
                .requireApproval("sendEmail")
                .maxTokens(500)
                .build();
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripTokenBudgetResumed", loop)));
        SagaHandle handle = engine.start("tripTokenBudgetResumed", TripScript.GOAL);
        awaitRest(engine, handle.id(), SagaStatus.WAITING);

        engine.signal(handle.id(), "approval:sendEmail", ToolApproval.approve("ops", "ok"));
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(stub.requestCount()).as("440 tokens before the wait, 660 after the third call").isEqualTo(3);
        assertThat(ledger.attemptCount(handle.id(), "bookHotel", Kind.EXECUTE)).isZero();
        assertThat(ledger.compensated(handle.id())).containsExactly("bookFlight");
        assertThat(view.error()).containsIgnoringCase("token");
    }

    @Test
    void aSagaOutOfTurnsStopsAndCompensates() {
        stub.script(TripScript.trip());
        AgentLoop loop = TripScript.tripLoop(stub.chatModel(), tools).maxTurns(2).build();
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripTurnBudget", loop)));

        SagaHandle handle = engine.start("tripTurnBudget", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(stub.requestCount()).as("two turns, no third model request").isEqualTo(2);
        assertThat(ledger.executed(handle.id())).containsExactly("searchFlights", "bookFlight");
        assertThat(ledger.compensated(handle.id())).containsExactly("bookFlight");
        assertThat(view.error()).as("why the saga stopped").containsIgnoringCase("turn");
        assertEffectsOncePerKeyFromTheJournal(view);
    }
}
