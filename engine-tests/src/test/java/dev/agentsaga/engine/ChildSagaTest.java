package dev.agentsaga.engine;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ChildSagaFailedException;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.SagaChild;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Effect;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.TestPolicies;

/**
 * A workflow starts other workflows as child sagas: in parallel, joined without a thread held, each once
 * (its id derived from the parent's id and step), undone as one unit in the parent's reverse order when the
 * parent fails or is cancelled, and failing the parent's step after undoing itself when it fails.
 */
class ChildSagaTest extends EngineTestSupport {

    @Test
    void parallelChildrenAreUndoneAsUnitsInReverseOrderWhenALaterStepFails() {
        CompensableAction budget = new CompensableAction("reserveBudget", ledger);
        CompensableAction confirm = new CompensableAction("confirmTrip", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(1));
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> {
            saga.step(budget, input);
            SagaChild<String> flight = saga.startChild("flights", input, String.class);
            SagaChild<String> hotel = saga.startChild("hotels", input, String.class);
            String plan = flight.join() + " + " + hotel.join();
            return saga.step(confirm, plan);
        });
        List<String> recovered = new java.util.concurrent.CopyOnWriteArrayList<>();
        SagaEngine engine = started(engineBuilder().action(budget).action(confirm).action(seat()).action(flightDeposit())
                .action(room()).action(roomDeposit()).workflow("flights", flights()).workflow("hotels", hotels())
                .workflow("trip", trip).observer(new dev.agentsaga.spi.SagaObserver() {
                    @Override
                    public void sagaResumed(String sagaId, String workflow, boolean wasRecovered) {
                        if (wasRecovered) {
                            recovered.add(sagaId);
                        }
                    }
                }));

        SagaView view = awaitStatus(engine, engine.start("trip", "rome").id(), SagaStatus.COMPENSATED);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        String flightId = view.id() + ":2";
        String hotelId = view.id() + ":3";
        assertThatSaga(view).hasChildrenIn(SagaStatus.COMPENSATED, flightId, hotelId);
        assertThat(step(view, 2).kind()).isEqualTo(StepKind.CHILD);
        assertThat(step(view, 2).status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(step(view, 3).status()).isEqualTo(StepStatus.COMPENSATED);
        SagaView flight = view(engine, flightId);
        assertThat(flight.parentId()).isEqualTo(view.id());
        assertThat(flight.parentStep()).isEqualTo(2);
        // every effect undone once, newest first across the tree: the hotel child (step 3) as a unit, then the
        // flight child (step 2), then the parent's own step 1
        assertThat(compensationsInOrder(view.id(), flightId, hotelId)).containsExactly(
                hotelId + " payRoomDeposit", hotelId + " holdRoom", flightId + " payFlightDeposit",
                flightId + " holdSeat", view.id() + " reserveBudget");
        assertThat(allEffects(Kind.COMPENSATE, view.id(), flightId, hotelId)).allMatch(e -> e.requests() == 1);
        assertThat(allEffects(Kind.EXECUTE, view.id(), flightId, hotelId)).allMatch(e -> e.requests() == 1);
        // nothing crashed: parking, waking and undoing children are resumes, not recoveries
        assertThat(recovered).isEmpty();
    }

    @Test
    void aChildThatFailsCompensatesItselfThenTheParentsEarlierSteps() {
        CompensableAction budget = new CompensableAction("reserveBudget", ledger);
        CompensableAction deposit = new CompensableAction("payFlightDeposit", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(1));
        ScriptedWorkflow flights = new ScriptedWorkflow((input, saga) -> {
            saga.step(seat(), input);
            return saga.step(deposit, input);
        });
        List<Throwable> seenByParent = new ArrayList<>();
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> {
            saga.step(budget, input);
            try {
                return saga.child("flights", input, String.class);
            }
            catch (StepFailedException ex) {
                seenByParent.add(ex);
                throw ex;
            }
        });
        SagaEngine engine = started(engineBuilder().action(budget).action(seat()).action(deposit)
                .workflow("flights", flights).workflow("trip", trip));

        SagaView view = awaitStatus(engine, engine.start("trip", "oslo").id(), SagaStatus.COMPENSATED);

        String childId = view.id() + ":2";
        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(view(engine, childId).status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(step(view, 2).status()).isEqualTo(StepStatus.FAILED);
        assertThat(step(view, 2).error()).contains(ChildSagaFailedException.class.getName()).contains(childId);
        assertThat(seenByParent).singleElement().isInstanceOf(StepFailedException.class);
        // the child undid its own seat before the parent's compensation began, and the parent did not undo the
        // failed child again
        assertThat(compensationsInOrder(view.id(), childId)).containsExactly(childId + " holdSeat",
                view.id() + " reserveBudget");
    }

    @Test
    void cancellingTheParentCancelsItsRunningChildrenWhichCompensate() throws Exception {
        CompensableAction budget = new CompensableAction("reserveBudget", ledger);
        ScriptedWorkflow waiting = new ScriptedWorkflow((input, saga) -> {
            saga.step(seat(), input);
            return saga.awaitSignal("go", String.class, Duration.ofHours(1));
        });
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> {
            saga.step(budget, input);
            SagaChild<String> a = saga.startChild("waiting", input, String.class);
            SagaChild<String> b = saga.startChild("waiting", input, String.class);
            return a.join() + b.join();
        });
        SagaEngine engine = started(engineBuilder().action(budget).action(seat()).workflow("waiting", waiting)
                .workflow("trip", trip));

        String id = engine.start("trip", "lima").id();
        awaitStatus(engine, id + ":2", SagaStatus.WAITING);
        awaitStatus(engine, id + ":3", SagaStatus.WAITING);
        awaitStatus(engine, id, SagaStatus.WAITING);
        engine.cancel(id);

        SagaView view = awaitStatus(engine, id, SagaStatus.COMPENSATED);
        assertThat(view(engine, id + ":2").status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(view(engine, id + ":3").status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(compensationsInOrder(id, id + ":2", id + ":3")).containsExactly(id + ":3 holdSeat",
                id + ":2 holdSeat", id + " reserveBudget");
    }

    @Test
    void aReplayedParentFindsItsChildrenAndStartsNoneTwice() {
        ScriptedWorkflow waiting = new ScriptedWorkflow((input, saga) -> {
            saga.step(seat(), input);
            return saga.awaitSignal("go", String.class, Duration.ofHours(1));
        });
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> {
            SagaChild<String> a = saga.startChild("waiting", input + "-a", String.class);
            SagaChild<String> b = saga.startChild("waiting", input + "-b", String.class);
            return a.join() + "|" + b.join();
        });
        SagaEngine engine = started(engineBuilder().action(seat()).workflow("waiting", waiting)
                .workflow("trip", trip));

        String id = engine.start("trip", "quito").id();
        awaitStatus(engine, id + ":1", SagaStatus.WAITING);
        awaitStatus(engine, id + ":2", SagaStatus.WAITING);
        awaitStatus(engine, id, SagaStatus.WAITING);
        engine.signal(id + ":1", "go", "A");
        // the parent wakes when its first child completes, replays, and parks again on the second
        awaitStatus(engine, id + ":1", SagaStatus.COMPLETED);
        engine.signal(id + ":2", "go", "B");

        SagaView view = awaitStatus(engine, id, SagaStatus.COMPLETED);
        assertThat(view.output()).isEqualTo("\"A|B\"");
        assertThat(trip.runs()).isGreaterThanOrEqualTo(2);
        assertThat(jdbc().queryForObject("SELECT COUNT(*) FROM " + schema.tablePrefix() + "instance WHERE parent_id = ?",
                Integer.class, id)).isEqualTo(2);
        assertThat(ledger.effects(id + ":1", Kind.EXECUTE)).singleElement().extracting(Effect::requests)
                .isEqualTo(1);
    }

    @Test
    void aChildOfAnUnregisteredWorkflowFailsTheParentWithAClearError() {
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> saga.child("nowhere", input, String.class));
        SagaEngine engine = started(engineBuilder().workflow("trip", trip));

        SagaView view = engine.start("trip", "x").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(view.error()).contains("No workflow is registered under the name 'nowhere'");
        assertThat(view.children()).isEmpty();
    }

    @Test
    void aCompletedChildIsNeitherDeletedNorErasedWhileItsParentMayStillUndoIt() throws Exception {
        ScriptedWorkflow quick = new ScriptedWorkflow((input, saga) -> saga.step(seat(), input));
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> {
            String seat = saga.child("quick", input, String.class);
            return seat + saga.awaitSignal("go", String.class, Duration.ofHours(1));
        });
        SagaEngine engine = started(engineBuilder().action(seat()).workflow("quick", quick).workflow("trip", trip)
                .retention(dev.agentsaga.SagaRetention.KEEP_ALL.keepFinished("quick", Duration.ofMillis(1))
                        .withInterval(Duration.ofMillis(50))));
        String lone = engine.start("quick", "alone").id();
        String id = engine.start("trip", "bern").id();
        String childId = id + ":1";
        awaitStatus(engine, childId, SagaStatus.COMPLETED);
        long joined = System.nanoTime() + WAIT.toNanos();
        while (view(engine, id).steps().size() < 2 && System.nanoTime() < joined) {
            Thread.sleep(20);
        }
        assertThat(awaitStatus(engine, id, SagaStatus.WAITING).steps()).extracting(StepView::kind)
                .containsExactly(StepKind.CHILD, StepKind.SIGNAL);

        // retention deleted the lone saga, finished as long ago, but keeps the child of a waiting parent
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (instanceRows(lone) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(instanceRows(lone)).isZero();
        assertThat(instanceRows(childId)).isEqualTo(1);
        assertThatThrownBy(() -> engine.erase(childId)).isInstanceOf(InvalidSagaStateException.class)
                .hasMessageContaining("child of saga " + id);

        engine.cancel(id);
        awaitStatus(engine, id, SagaStatus.COMPENSATED);
        assertThat(ledger.compensated(childId)).containsExactly("holdSeat");
    }

    private List<String> compensationsInOrder(String... sagaIds) {
        return allEffects(Kind.COMPENSATE, sagaIds).stream().sorted(Comparator.comparingLong(Effect::seq))
                .map(e -> e.sagaId() + " " + e.action()).toList();
    }

    private List<Effect> allEffects(Kind kind, String... sagaIds) {
        List<Effect> effects = new ArrayList<>();
        for (String id : sagaIds) {
            effects.addAll(ledger.effects(id, kind));
        }
        return effects;
    }

    private CompensableAction seat;

    private CompensableAction flightDeposit;

    private CompensableAction room;

    private CompensableAction roomDeposit;

    private CompensableAction seat() {
        return seat != null ? seat : (seat = new CompensableAction("holdSeat", ledger));
    }

    private CompensableAction flightDeposit() {
        return flightDeposit != null ? flightDeposit : (flightDeposit = new CompensableAction("payFlightDeposit",
                ledger));
    }

    private CompensableAction room() {
        return room != null ? room : (room = new CompensableAction("holdRoom", ledger));
    }

    private CompensableAction roomDeposit() {
        return roomDeposit != null ? roomDeposit : (roomDeposit = new CompensableAction("payRoomDeposit", ledger));
    }

    private ScriptedWorkflow flights() {
        return new ScriptedWorkflow((input, saga) -> {
            saga.step(seat(), input);
            return saga.step(flightDeposit(), input);
        });
    }

    private ScriptedWorkflow hotels() {
        return new ScriptedWorkflow((input, saga) -> {
            saga.step(room(), input);
            return saga.step(roomDeposit(), input);
        });
    }
}
