package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.test.SagaReplayer;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ModelCall;
import dev.agentsaga.testing.ReadOnlyAction;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.TableSearch;
import dev.agentsaga.testing.TestPolicies;

/** Erasing a finished saga: every payload replaced with the marker, the timeline kept, replays refused. */
class ErasureTest extends EngineTestSupport {


    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void erasureRemovesEveryPayloadFromEveryTableAndKeepsTheTimeline() {
        String customer = customer();
        SagaEngine engine = started(travelAgent(engineBuilder()));
        String id = engine.start("erase-trip", "a trip to Lisbon for " + customer).await(WAIT).id();
        engine.signal(id, "approval", Map.of("approvedFor", customer));
        SagaView before = awaitStatus(engine, id, SagaStatus.COMPLETED);
        SagaExport journalBefore = engine.export(id).orElseThrow();
        assertThat(TableSearch.columnsContaining(schema, customer)).containsExactlyInAnyOrder("instance.input",
                "instance.output", "step.input", "step.output", "step.error", "signal.payload");

        Instant erasedAt = engine.erase(id);

        assertThat(TableSearch.columnsContaining(schema, customer)).isEmpty();
        assertThat(TableSearch.textColumns(schema)).isGreaterThanOrEqualTo(20);
        SagaView after = view(engine, id);
        assertThat(after.erasedAt()).isEqualTo(erasedAt);
        assertThat(after).usingRecursiveComparison()
                .ignoringFields("input", "output", "erasedAt", "steps.input", "steps.output", "steps.error")
                .isEqualTo(before);
        assertThat(engine.export(id).orElseThrow().steps()).usingRecursiveFieldByFieldElementComparatorIgnoringFields(
                "input", "output", "error").containsExactlyElementsOf(journalBefore.steps());
        assertThat(after.steps()).extracting(step -> step.kind().name() + " " + step.name() + " "
                + step.idempotencyKey() + " " + step.inputTokens() + "/" + step.outputTokens()).containsExactly(
                "ACTION searchFlights " + id + ":1 null/null", "LLM model " + id + ":2 120/30",
                "ACTION bookFlight " + id + ":3 null/null", "CALL loyaltyNumber " + id + ":4 null/null",
                "SIGNAL approval " + id + ":5 null/null");
        assertThat(after.input()).isEqualTo(SagaView.ERASED);
        assertThat(after.output()).isEqualTo(SagaView.ERASED);
        assertThat(step(after, "bookFlight").output()).isEqualTo(SagaView.ERASED);
        assertThat(step(after, "model").output()).isEqualTo(SagaView.ERASED);
        assertThat(step(after, "loyaltyNumber").error())
                .isEqualTo("{\"type\":\"java.lang.IllegalStateException\",\"message\":\"[erased]\"}");
        assertThat(step(after, "approval").input()).as("the end of the wait is the timeline's")
                .isEqualTo(step(before, "approval").input());
    }

    @Test
    void erasingTwiceChangesNothingAndAnswersTheFirstErasure() {
        String customer = customer();
        SagaEngine engine = started(engineBuilder().workflow("erase-twice",
                new ScriptedWorkflow((input, saga) -> "done for " + input)));
        String id = engine.start("erase-twice", customer).await(WAIT).id();
        Instant first = engine.erase(id);
        SagaView erased = view(engine, id);

        Instant second = engine.erase(id);

        assertThat(second).isEqualTo(first);
        assertThat(view(engine, id)).isEqualTo(erased);
    }

    @Test
    void anErasedSagaIsNotReplayedAwaitedOrStartedAgain() {
        String customer = customer();
        SagaEngine engine = started(travelAgent(engineBuilder()));
        String id = engine.start("erase-trip", "a trip for " + customer).await(WAIT).id();
        engine.signal(id, "approval", Map.of("approvedFor", customer));
        awaitStatus(engine, id, SagaStatus.COMPLETED);
        SagaReplayer replayer = SagaReplayer.of(this::travelAgent);
        assertThat(replayer.replay(engine.export(id).orElseThrow()).clean()).isTrue();
        Instant erasedAt = engine.erase(id);
        SagaExport erased = SagaExport.fromJson(engine.export(id).orElseThrow().toJson());

        assertThat(erased.erasedAt()).isEqualTo(erasedAt);
        assertThatThrownBy(() -> replayer.replay(erased)).isInstanceOf(InvalidSagaStateException.class)
                .hasMessage("The journal of saga " + id + " was erased at " + erasedAt + ": its inputs and outputs "
                        + "are gone, so it cannot be replayed; leave it out of the journals you replay");
        assertThatThrownBy(() -> engine.start("erase-trip", "a trip for " + customer, id))
                .isInstanceOf(SagaIdConflictException.class).hasMessage("Saga " + id + " exists and its payloads "
                        + "were erased at " + erasedAt + ", so this start cannot be matched with its input; use "
                        + "another id");
    }

    @Test
    void anErasedSagasOutputIsNotAwaited() {
        String customer = customer();
        SagaEngine engine = started(engineBuilder().workflow("erase-await",
                new ScriptedWorkflow((input, saga) -> "done for " + input)));
        SagaHandle handle = engine.start("erase-await", customer);
        handle.await(WAIT);
        Instant erasedAt = engine.erase(handle.id());

        assertThatThrownBy(() -> handle.awaitOutput(String.class, WAIT)).isInstanceOf(InvalidSagaStateException.class)
                .hasMessage("Saga " + handle.id() + " completed, but its output was erased at " + erasedAt
                        + "; its timeline is all that is left (find it)");
    }

    @Test
    void erasingAWaitingSagaIsRefusedAndChangesNothing() {
        String customer = customer();
        SagaEngine engine = started(travelAgent(engineBuilder()));
        String id = engine.start("erase-trip", "a trip for " + customer).await(WAIT).id();
        SagaView waiting = view(engine, id);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        assertThatThrownBy(() -> engine.erase(id)).isInstanceOf(InvalidSagaStateException.class)
                .hasMessage("Saga " + id + " is WAITING; only a finished saga (COMPLETED, COMPENSATED or FAILED) can "
                        + "be erased, so that no run reads its payloads again: wait until it finishes, or cancel it "
                        + "and erase it once it is COMPENSATED or FAILED");

        assertThat(view(engine, id)).isEqualTo(waiting);
        assertThat(waiting.erasedAt()).isNull();
        engine.signal(id, "approval", Map.of("approvedFor", customer));
        assertThat(decode(awaitStatus(engine, id, SagaStatus.COMPLETED).output(), String.class))
                .contains(customer);
    }

    @Test
    void erasingARunningSagaIsRefusedAndChangesNothing() throws Exception {
        String customer = customer();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SagaEngine engine = started(engineBuilder().workflow("erase-running", new ScriptedWorkflow((input, saga) -> {
            String quote = saga.call("quote", String.class, () -> "quote for " + input);
            entered.countDown();
            release.await(5, TimeUnit.SECONDS);
            return quote;
        })));
        String id = engine.start("erase-running", customer).id();
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        SagaView running = view(engine, id);

        assertThatThrownBy(() -> engine.erase(id)).isInstanceOf(InvalidSagaStateException.class)
                .hasMessageStartingWith("Saga " + id + " is RUNNING; only a finished saga");

        assertThat(view(engine, id)).isEqualTo(running);
        release.countDown();
        assertThat(awaitStatus(engine, id, SagaStatus.COMPLETED).output()).contains(customer);
    }

    @Test
    void erasingAnUnknownSagaSaysSo() {
        SagaEngine engine = started(engineBuilder());

        assertThatThrownBy(() -> engine.erase("no-such-saga")).isInstanceOf(SagaNotFoundException.class)
                .hasMessage("No saga has the id 'no-such-saga'");
    }

    @Test
    void aCancelledSagaKeepsTheEnginesOwnTextsWhenErased() {
        String customer = customer();
        ReadOnlyAction check = new ReadOnlyAction("eraseCheckVisa", ledger);
        CompensableAction hold = new CompensableAction("eraseHoldSeat", ledger);
        SagaEngine engine = started(engineBuilder().action(check).action(hold).workflow("erase-cancelled",
                new ScriptedWorkflow((input, saga) -> {
                    saga.step(check, input);
                    saga.step(hold, input);
                    return saga.awaitSignal("approval", String.class, LONG);
                })));
        String id = engine.start("erase-cancelled", customer).await(WAIT).id();
        engine.cancel(id);
        SagaView compensated = awaitStatus(engine, id, SagaStatus.COMPENSATED);

        engine.erase(id);

        SagaView erased = view(engine, id);
        assertThat(erased.error()).isEqualTo(compensated.error()).isEqualTo("Cancelled by an operator");
        assertThat(step(erased, "eraseCheckVisa").compensationNote()).isEqualTo("nothing to undo: READ_ONLY");
        assertThat(step(erased, "eraseHoldSeat").compensatedAt()).isEqualTo(step(compensated, "eraseHoldSeat")
                .compensatedAt());
        assertThat(step(erased, "eraseHoldSeat").input()).isEqualTo(SagaView.ERASED);
        assertThat(TableSearch.columnsContaining(schema, customer)).isEmpty();
    }

    /** A customer's name of a test's own, found in no other test's sagas. */
    private static String customer() {
        return "Ada-Lovelace-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * A travel agent in five steps, each of a kind that holds a payload: a search, a model call, a booking, a
     * failed lookup whose error quotes the customer, an approval.
     */
    private AgentSaga.Builder travelAgent(AgentSaga.Builder engine) {
        ReadOnlyAction search = new ReadOnlyAction("searchFlights", ledger);
        CompensableAction book = new CompensableAction("bookFlight", ledger);
        return engine.defaultPolicy(TestPolicies.fast(1)).action(search).action(book)
                .workflow("erase-trip", new ScriptedWorkflow((goal, saga) -> {
                    saga.step(search, goal);
                    String reply = saga.journal(new ModelCall(Map.of("messages", "5f0c3a9e1b7d2c4a", "model", "a1b2c3d4e5f60718"),
                            "Booking TP941: " + goal, 120, 30));
                    String booking = saga.step(book, reply);
                    try {
                        saga.call("loyaltyNumber", String.class, () -> {
                            throw new IllegalStateException("no loyalty account: " + goal);
                        });
                    }
                    catch (StepFailedException ex) {
                        // the trip goes on without one
                    }
                    Map<?, ?> approval = saga.awaitSignal("approval", Map.class, LONG);
                    return booking + ", approved for " + approval.get("approvedFor");
                }));
    }
}
