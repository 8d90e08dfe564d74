package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.testing.EffectLedger.Attempt;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * The trip agent runs in a child JVM that halts (as {@code kill -9} would) inside the third tool, after
 * two tool calls are journaled; an engine in the test JVM resumes the saga. The model stub, in the test
 * JVM, serves both: the resumed agent asks it nothing it already answered, and no tool runs twice.
 */
class AgentCrashRecoveryTest extends AgentTestSupport {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aResumedAgentAsksTheModelNothingAlreadyAnsweredAndRunsNoToolTwice() {
        Turn[] trip = TripScript.trip();
        stub.script(trip);
        String sagaId = "trip-crash-" + UUID.randomUUID().toString().substring(0, 8);
        SagaEngine reader = agentEngine().build();

        ChildJvm child = AgentCrashWorker.launch(sagaId + "-run1", List.of("-D" + TripTools.HALT_PROPERTY + "=bookHotel"),
                schema.jdbcUrl(), stub.baseUrl(), sagaId);
        assertThat(child.awaitExit(CHILD_TIMEOUT)).as(() -> child.tail(60)).isEqualTo(TripTools.HALT_EXIT_CODE);

        SagaView atCrash = view(reader, sagaId);
        assertThat(atCrash.steps()).as("journal when the JVM died inside bookHotel%s", describe(atCrash))
                .filteredOn(step -> step.status() == StepStatus.SUCCEEDED)
                .extracting(StepView::seq, StepView::kind, StepView::name)
                .containsExactly(tuple(1, StepKind.LLM, "model"), tuple(2, StepKind.ACTION, "searchFlights"),
                        tuple(3, StepKind.LLM, "model"), tuple(4, StepKind.ACTION, "bookFlight"),
                        tuple(5, StepKind.LLM, "model"));
        assertThat(stub.requestCount()).as("model requests before the crash").isEqualTo(3);
        assertThat(ledger.attempts(sagaId, "bookHotel", Kind.EXECUTE)).extracting(Attempt::idempotencyKey)
                .containsExactly(sagaId + ":6");

        SagaEngine resumed = started(AgentCrashWorker.configure(fastEngine()
                .nodeId(AgentCrashWorker.nodeIdFor(sagaId)), tools, stub.chatModel()));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.COMPLETED);

        assertThat(view.output()).contains(TripScript.ANSWER);
        assertThat(stub.requestCount()).as("model requests in all: the resumed agent asked only the fourth")
                .isEqualTo(4);
        assertThat(stub.unscriptedRequests()).isZero();
        assertThat(stub.requests()).extracting(request -> request.path("messages").size())
                .as("messages per request: each request carries a longer conversation, none was asked twice")
                .containsExactly(2, 4, 6, 8);
        assertThat(stub.toolMessages(4)).extracting(m -> m.path("tool_call_id").asString())
                .as("the rebuilt conversation carries the recorded tool-call ids")
                .containsExactly("call_search", "call_flight", "call_hotel");
        for (String tool : List.of("searchFlights", "bookFlight")) {
            assertThat(ledger.attemptCount(sagaId, tool, Kind.EXECUTE)).as("calls of %s", tool).isEqualTo(1);
        }
        assertThat(ledger.attempts(sagaId, "bookHotel", Kind.EXECUTE)).extracting(Attempt::idempotencyKey)
                .as("the call cut short by the crash is repeated under its key").containsExactly(sagaId + ":6",
                        sagaId + ":6");
        assertThat(ledger.executed(sagaId)).containsExactly("searchFlights", "bookFlight", "bookHotel");
        assertEffectsOncePerKeyFromTheJournal(view);
        assertThat(view.tokensSpent()).isEqualTo(TripScript.tokens(trip));
        assertThat(view.tokensSaved()).as("the three model calls answered from the journal after the crash")
                .isPositive()
                .isEqualTo(TripScript.tokens(trip[0], trip[1], trip[2]));
        assertThat(view.tokensReplayed()).as("no durable wait, so no routine replay").isZero();
    }
}
