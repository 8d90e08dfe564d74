package dev.agentsaga.ai.chatclient;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaView;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.ChatCompletionsStub;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.ai.TripScript;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.EffectLedger.Effect;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * The budgets of a ChatClient agent ({@link AgentLimits}): a model stuck calling tools runs out of turns,
 * the same tool called with the same arguments once too often trips the loop guard, a saga over its
 * tokens stops; each time the saga compensates. The turn budget and the loop guard are counted from the
 * journal, so an engine that crashed mid-way and restarted goes on with what was left, not afresh.
 */
@SagaTest(database = SagaTest.Database.POSTGRESQL)
class ChatClientBudgetTest {

    private ChatCompletionsStub stub;

    private EffectLedger ledger;

    private TripDesk desk;

    @BeforeEach
    void startStub(SagaTestEnvironment env) {
        stub = ChatCompletionsStub.start();
        ledger = EffectLedger.create(env.dataSource());
        desk = new TripDesk(ledger);
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void aModelStuckCallingToolsRunsOutOfTurnsCountingTheTurnsTakenBeforeACrash(SagaTestEnvironment env) {
        stub.script(Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT), Turn.toolCalls(120, 15, TripScript.SEARCH))
                .thenRepeat(Turn.toolCalls(130, 15, TripScript.SEARCH));
        AgentLimits limits = new AgentLimits(3, 200_000, 10, Duration.ofDays(1));
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), limits));
        env.crashes().afterStep(4);

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        env.awaitCrash();
        assertThat(stub.requestCount()).as("turns before the crash").isEqualTo(2);
        env.restart();
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompensated().compensatedInOrder("bookFlight")
                .hasErrorContaining("3 model calls")
                .hasStepNames("model", "bookFlight", "model", "searchFlights", "model", "searchFlights")
                .savedTokens(180 + 12 + 120 + 15);
        assertThat(stub.requestCount()).as("the third turn after the crash, then no fourth").isEqualTo(3);
        assertThat(ledger.effects(id, Kind.COMPENSATE)).extracting(Effect::action, Effect::requests)
                .containsExactly(tuple("bookFlight", 1));
    }

    @Test
    void theLoopGuardStopsTheSameCallMadeOnceTooOftenCountingTheCallsMadeBeforeACrash(SagaTestEnvironment env) {
        stub.script(Turn.toolCalls(120, 15, TripScript.SEARCH), Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT),
                Turn.toolCalls(130, 15, TripScript.SEARCH), Turn.toolCalls(140, 15, TripScript.SEARCH),
                Turn.answer(TripScript.ANSWER, 300, 20));
        AgentLimits limits = new AgentLimits(20, 200_000, 2, Duration.ofDays(1));
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), limits));
        env.crashes().afterStep(6);

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        env.awaitCrash();
        assertThat(ledger.attemptCount(id, "searchFlights", Kind.EXECUTE)).as("searches before the crash")
                .isEqualTo(2);
        env.restart();
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompensated().compensatedInOrder("bookFlight")
                .hasErrorContaining("searchFlights").hasErrorContaining("3 times");
        assertThat(ledger.attemptCount(id, "searchFlights", Kind.EXECUTE)).as("no third search").isEqualTo(2);
        assertThat(stub.requestCount()).as("the turn that asked for the third search was the last").isEqualTo(4);
    }

    @Test
    void aSagaOverItsTokensStopsAndCompensates(SagaTestEnvironment env) {
        stub.script(TripChat.trip());
        AgentLimits limits = new AgentLimits(20, 500, 3, Duration.ofDays(1));
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), limits));

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompensated().compensatedInOrder("bookFlight")
                .hasStepNames("model", "searchFlights", "model", "bookFlight", "model")
                .hasErrorContaining("581 tokens").hasErrorContaining("500");
        assertThat(ledger.executed(id)).as("no tool after the turn that went over").containsExactly("searchFlights",
                "bookFlight");
    }
}
