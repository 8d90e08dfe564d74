package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.Resolution;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.StepKind;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ReadOnlyAction;
import dev.agentsaga.testing.ScriptedWorkflow;

/** A resumed workflow is re-run from the top and answered from the journal; a changed step order is caught. */
class ReplayTest extends EngineTestSupport {

    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void replayAnswersJournaledStepsNowAndRandomUuidFromTheJournal() {
        CompensableAction reserve = new CompensableAction("reserveCabin", ledger);
        ReadOnlyAction confirm = new ReadOnlyAction("confirmCabin", ledger);
        List<Instant> nows = new CopyOnWriteArrayList<>();
        List<UUID> uuids = new CopyOnWriteArrayList<>();
        List<String> reserved = new CopyOnWriteArrayList<>();
        AtomicInteger seatPicks = new AtomicInteger();
        ScriptedWorkflow.Body body = (input, saga) -> {
            reserved.add(saga.step(reserve, input));
            nows.add(saga.now());
            uuids.add(saga.randomUuid());
            String seat = saga.call("pickSeat", String.class, () -> "seat-" + seatPicks.incrementAndGet());
            String go = saga.awaitSignal("go", String.class, LONG);
            return saga.step(confirm, go + " " + seat);
        };
        SagaEngine first = started(engineBuilder().action(reserve).action(confirm)
                .workflow("replay-journal", new ScriptedWorkflow(body)));
        SagaView parked = first.start("replay-journal", "c1").await(WAIT);
        assertThat(parked.status()).isEqualTo(SagaStatus.WAITING);
        first.shutdown(Duration.ofSeconds(2));
        SagaEngine second = started(engineBuilder().action(reserve).action(confirm)
                .workflow("replay-journal", new ScriptedWorkflow(body)));

        second.signal(parked.id(), "go", "now");
        SagaView view = awaitStatus(second, parked.id(), SagaStatus.COMPLETED);

        assertThat(ledger.executed(view.id())).containsExactly("reserveCabin", "confirmCabin");
        assertThat(reserved).hasSizeGreaterThanOrEqualTo(2).containsOnly("reserveCabin(c1)");
        assertThat(nows).hasSizeGreaterThanOrEqualTo(2).containsOnly(nows.get(0));
        assertThat(uuids).hasSizeGreaterThanOrEqualTo(2).containsOnly(uuids.get(0));
        assertThat(seatPicks).hasValue(1);
        assertThat(view.steps()).extracting(s -> s.kind()).containsExactly(StepKind.ACTION, StepKind.NOW,
                StepKind.UUID, StepKind.CALL, StepKind.SIGNAL, StepKind.ACTION);
        assertThat(decode(view.output(), String.class)).isEqualTo("confirmCabin(now seat-1)");
    }

    @Test
    void changedStepOrderOnReplayNeedsAttentionAndRetryAfterTheFixReplays() {
        CompensableAction hotel = new CompensableAction("reserveHotel", ledger);
        CompensableAction card = new CompensableAction("chargeCard", ledger);
        ScriptedWorkflow.Body v1 = (input, saga) -> {
            saga.step(hotel, input);
            saga.awaitSignal("go", String.class, LONG);
            return saga.step(card, input);
        };
        ScriptedWorkflow.Body reordered = (input, saga) -> {
            saga.step(card, input);
            saga.awaitSignal("go", String.class, LONG);
            return saga.step(hotel, input);
        };
        String sagaId = "replay-nondeterminism";
        SagaEngine first = started(engineBuilder().action(hotel).action(card)
                .workflow("replay-order", new ScriptedWorkflow(v1)));
        assertThat(first.start("replay-order", "x", sagaId).await(WAIT).status()).isEqualTo(SagaStatus.WAITING);
        first.shutdown(Duration.ofSeconds(2));
        SagaEngine second = started(engineBuilder().action(hotel).action(card)
                .workflow("replay-order", new ScriptedWorkflow(reordered)));

        second.signal(sagaId, "go", "now");
        SagaView stuck = awaitStatus(second, sagaId, SagaStatus.NEEDS_ATTENTION);

        assertThat(stuck.error()).isNotNull().contains("reserveHotel").contains("chargeCard")
                .containsPattern("\\b1\\b");
        assertThat(stuck.errorStep()).isEqualTo(1);
        assertThat(ledger.executed(sagaId)).containsExactly("reserveHotel");
        assertThatThrownBy(() -> second.resolve(sagaId, Resolution.happened("x")))
                .isInstanceOf(InvalidSagaStateException.class);

        second.shutdown(Duration.ofSeconds(2));
        SagaEngine fixed = started(engineBuilder().action(hotel).action(card)
                .workflow("replay-order", new ScriptedWorkflow(v1)));
        fixed.retry(sagaId);
        SagaView view = awaitStatus(fixed, sagaId, SagaStatus.COMPLETED);

        assertThat(ledger.executed(sagaId)).containsExactly("reserveHotel", "chargeCard");
        assertThat(ledger.attemptCount(sagaId, "reserveHotel", Kind.EXECUTE))
                .isEqualTo(1);
        assertThat(decode(view.output(), String.class)).isEqualTo("chargeCard(x)");
    }

    @Test
    void aJournaledFailureIsReplayedWithoutRunningTheStepAgain() {
        ReadOnlyAction flaky = new ReadOnlyAction("probeInventory", ledger).alwaysFailing();
        ScriptedWorkflow.Body body = (input, saga) -> {
            String outcome;
            try {
                outcome = saga.step(flaky, input);
            }
            catch (StepFailedException ex) {
                outcome = "fallback";
            }
            String go = saga.awaitSignal("go", String.class, LONG);
            return outcome + "/" + go;
        };
        SagaEngine first = started(engineBuilder().action(flaky)
                .workflow("replay-failure", new ScriptedWorkflow(body)));
        SagaView parked = first.start("replay-failure", "x").await(WAIT);
        assertThat(parked.status()).isEqualTo(SagaStatus.WAITING);
        int attemptsBefore = ledger.attemptCount(parked.id(), "probeInventory",
                Kind.EXECUTE);
        first.shutdown(Duration.ofSeconds(2));
        SagaEngine second = started(engineBuilder().action(flaky)
                .workflow("replay-failure", new ScriptedWorkflow(body)));

        second.signal(parked.id(), "go", "on");
        SagaView view = awaitStatus(second, parked.id(), SagaStatus.COMPLETED);

        assertThat(attemptsBefore).isEqualTo(3);
        assertThat(ledger.attemptCount(view.id(), "probeInventory", Kind.EXECUTE))
                .isEqualTo(3);
        assertThat(decode(view.output(), String.class)).isEqualTo("fallback/on");
    }

    @Test
    void aSagaIsResumedOnlyByAnEngineRunningItsVersion() {
        CompensableAction before = new CompensableAction("pinnedBefore", ledger);
        CompensableAction after = new CompensableAction("pinnedAfter", ledger);
        ScriptedWorkflow.Body body = (input, saga) -> {
            saga.step(before, input);
            saga.awaitSignal("go", String.class, LONG);
            return saga.step(after, input);
        };
        SagaEngine v1 = started(engineBuilder().action(before).action(after)
                .workflow("replay-pinned", new ScriptedWorkflow("1", body)));
        SagaView parked = v1.start("replay-pinned", "x").await(WAIT);
        assertThat(parked.status()).isEqualTo(SagaStatus.WAITING);
        v1.shutdown(Duration.ofSeconds(2));
        ScriptedWorkflow newer = new ScriptedWorkflow("2", body);
        SagaEngine v2 = started(engineBuilder().action(before).action(after).workflow("replay-pinned", newer));

        v2.signal(parked.id(), "go", "now");
        pause(Duration.ofSeconds(1));

        assertThat(newer.runs()).isZero();
        assertThat(view(v2, parked.id()).workflowVersion()).isEqualTo("1");
        assertThat(view(v2, parked.id()).status()).isIn(SagaStatus.WAITING, SagaStatus.PENDING);
        assertThat(ledger.executed(parked.id())).containsExactly("pinnedBefore");

        SagaEngine v1Again = started(engineBuilder().action(before).action(after)
                .workflow("replay-pinned", new ScriptedWorkflow("1", body)));
        awaitStatus(v1Again, parked.id(), SagaStatus.COMPLETED);

        assertThat(newer.runs()).isZero();
        assertThat(ledger.executed(parked.id())).containsExactly("pinnedBefore", "pinnedAfter");
    }

    @Test
    void aStepIsJournaledBeforeTheWorkflowSeesItsResult() {
        CompensableAction book = new CompensableAction("journalFirst", ledger);
        List<String> journaled = new CopyOnWriteArrayList<>();
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            String output = saga.step(book, input);
            journaled.addAll(jdbc().queryForList("SELECT status FROM " + schema.tablePrefix()
                    + "step WHERE saga_id = ? AND seq = 1", String.class, saga.id()));
            return output;
        });
        SagaEngine engine = started(engineBuilder().action(book).workflow("replay-journal-first", wf));

        SagaView view = engine.start("replay-journal-first", "x").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(journaled).containsExactly("SUCCEEDED");
    }
}
