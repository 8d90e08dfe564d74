package dev.agentsaga.ai.chatclient;

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
import dev.agentsaga.StepView;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.AgentTestSupport;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.ai.TripScript;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * The ChatClient trip agent runs in a child JVM that is killed with SIGKILL right after its second tool
 * call was journaled; an engine in the test JVM resumes the saga. The model stub, in the test JVM, serves
 * both: the resumed agent asks it nothing it already answered, and no tool's effect happens twice.
 */
class ChatClientCrashRecoveryTest extends AgentTestSupport {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void aChatClientAgentKilledAfterItsSecondToolCallResumesAskingNothingAgainAndDoingNothingTwice() {
        Turn[] trip = TripChat.trip();
        stub.script(trip);
        String sagaId = "chat-trip-" + UUID.randomUUID().toString().substring(0, 8);
        TripDesk desk = new TripDesk(ledger);

        ChildJvm child = ChatClientCrashWorker.launch(sagaId, schema.jdbcUrl(), stub.baseUrl(), sagaId, 4);
        awaitParked(child);
        assertThat(child.kill()).as("the child's exit code").isEqualTo(137);

        SagaView atCrash = view(fastEngine().build(), sagaId);
        assertThat(atCrash.steps()).as("journal when the JVM was killed%s", describe(atCrash))
                .extracting(StepView::seq, StepView::kind, StepView::name)
                .containsExactly(tuple(1, StepKind.LLM, "model"), tuple(2, StepKind.ACTION, "searchFlights"),
                        tuple(3, StepKind.LLM, "model"), tuple(4, StepKind.ACTION, "bookFlight"));
        assertThat(stub.requestCount()).as("model requests before the crash").isEqualTo(2);

        SagaEngine resumed = started(TripChat.configure(fastEngine().nodeId(ChatClientCrashWorker.nodeIdFor(sagaId)),
                desk, stub.chatModel(), AgentLimits.DEFAULTS));
        SagaView view = awaitRest(resumed, sagaId, SagaStatus.COMPLETED);

        assertThat(view.output()).contains(TripScript.ANSWER);
        assertThat(stub.requestCount()).as("model requests in all: the resumed agent asked only the last three")
                .isEqualTo(5);
        assertThat(stub.unscriptedRequests()).isZero();
        assertThat(stub.requests()).extracting(request -> request.path("messages").size())
                .as("messages per request: each request carries a longer conversation, none was asked twice")
                .containsExactly(2, 4, 6, 8, 10);
        assertThat(stub.toolMessages(5)).extracting(m -> m.path("tool_call_id").asString())
                .as("the rebuilt conversation carries the recorded tool-call ids")
                .containsExactly("call_search", "call_flight", "call_hotel", "call_card");
        assertThat(stub.toolMessages(5).get(1).path("content").asString())
                .as("the recorded booking, made by the killed JVM").contains("FL-" + sagaId + ":4");
        for (String tool : List.of("searchFlights", "bookFlight", "bookHotel", "chargeCard")) {
            assertThat(ledger.attemptCount(sagaId, tool, Kind.EXECUTE)).as("calls of %s", tool).isEqualTo(1);
        }
        assertThat(ledger.executed(sagaId)).containsExactly("searchFlights", "bookFlight", "bookHotel", "chargeCard");
        assertEffectsOncePerKeyFromTheJournal(view);
        assertThat(view.tokensSpent()).isEqualTo(TripScript.tokens(trip));
        assertThat(view.tokensSaved()).as("the two model calls answered from the journal after the crash")
                .isEqualTo(TripScript.tokens(trip[0], trip[1]));
        assertThat(view.tokensReplayed()).as("no durable wait, so no routine replay").isZero();
    }

    private static void awaitParked(ChildJvm child) {
        long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
        while (child.lines().stream().noneMatch(line -> line.startsWith(ChatClientCrashWorker.PARKED))) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                child.kill();
                throw new AssertionError("The child JVM did not reach the point to kill it at\n" + child.tail(60));
            }
            pause(Duration.ofMillis(50));
        }
    }
}
