package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * An agent's budgets survive a process crash: the trip agent runs in a child JVM that halts (as
 * {@code kill -9} would) inside a tool after some turns, and the agent resumed in the test JVM goes on
 * with what is left of its turn budget and its loop guard, not with fresh ones.
 */
class AgentBudgetCrashTest extends AgentTestSupport {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void theTurnBudgetCountsTheTurnsTakenBeforeTheProcessCrashed() {
        stub.script(TripScript.trip());
        String sagaId = "turns-crash-" + UUID.randomUUID().toString().substring(0, 8);
        crashInside("bookFlight", sagaId, AgentCrashWorker.MAX_TURNS_PROPERTY + "=3");
        assertThat(stub.requestCount()).as("turns before the crash").isEqualTo(2);

        SagaEngine resumed = started(AgentCrashWorker.configure(fastEngine().nodeId(AgentCrashWorker.nodeIdFor(sagaId)),
                tools, TripScript.tripLoop(stub.chatModel(), tools).maxTurns(3)));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.COMPENSATED);

        assertThat(stub.requestCount()).as("the third turn after the crash, then no fourth").isEqualTo(3);
        assertThat(view.error()).as("why the saga stopped").contains("3 turns");
        assertThat(ledger.executed(sagaId)).containsExactly("searchFlights", "bookFlight", "bookHotel");
        assertThat(ledger.compensated(sagaId)).containsExactly("bookHotel", "bookFlight");
        assertEffectsOncePerKeyFromTheJournal(view);
    }

    @Test
    void theLoopGuardCountsTheCallsMadeBeforeTheProcessCrashed() {
        stub.script(Turn.toolCalls(120, 15, TripScript.SEARCH), Turn.toolCalls(130, 15, TripScript.SEARCH),
                Turn.toolCalls(140, 15, TripScript.BOOK_HOTEL), Turn.toolCalls(150, 15, TripScript.SEARCH),
                Turn.answer(TripScript.ANSWER, 160, 20));
        String sagaId = "guard-crash-" + UUID.randomUUID().toString().substring(0, 8);
        crashInside("bookHotel", sagaId, AgentCrashWorker.LOOP_GUARD_PROPERTY + "=2");
        assertThat(ledger.attemptCount(sagaId, "searchFlights", Kind.EXECUTE)).as("searches before the crash")
                .isEqualTo(2);

        SagaEngine resumed = started(AgentCrashWorker.configure(fastEngine().nodeId(AgentCrashWorker.nodeIdFor(sagaId)),
                tools, TripScript.tripLoop(stub.chatModel(), tools).loopGuard(2)));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.COMPENSATED);

        assertThat(view.error()).as("why the saga stopped").contains("searchFlights").contains("3 times");
        assertThat(ledger.attemptCount(sagaId, "searchFlights", Kind.EXECUTE)).as("no third search").isEqualTo(2);
        assertThat(stub.requestCount()).as("the turn that asked for the third search was the last").isEqualTo(4);
        assertThat(ledger.compensated(sagaId)).containsExactly("bookHotel");
        assertEffectsOncePerKeyFromTheJournal(view);
    }

    /** Runs the trip agent in a child JVM with one budget set, until it halts inside {@code tool}. */
    private void crashInside(String tool, String sagaId, String budget) {
        ChildJvm child = AgentCrashWorker.launch(sagaId, List.of("-D" + TripTools.HALT_PROPERTY + "=" + tool,
                "-D" + budget), schema.jdbcUrl(), stub.baseUrl(), sagaId);
        assertThat(child.awaitExit(CHILD_TIMEOUT)).as(() -> child.tail(60)).isEqualTo(TripTools.HALT_EXIT_CODE);
    }
}
