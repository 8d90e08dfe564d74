package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.Resolution;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaCancelledException;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.IrreversibleAction;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.TestPolicies;

/** What an operator does: cancel a saga, and decide an in-doubt IRREVERSIBLE step. */
class OperatorOperationsTest extends EngineTestSupport {

    @Test
    void cancellingAWaitingSagaCompensatesItsCompletedStepsInReverseOrder() {
        CompensableAction flight = new CompensableAction("cancelFlight", ledger);
        CompensableAction hotel = new CompensableAction("cancelHotel", ledger);
        CompensableAction car = new CompensableAction("cancelCar", ledger);
        CompensableAction after = new CompensableAction("cancelAfterApproval", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(flight, input);
            saga.step(hotel, input);
            saga.step(car, input);
            saga.awaitSignal("approval", String.class, Duration.ofMinutes(5));
            return saga.step(after, input);
        });
        SagaEngine engine = started(engineBuilder().action(flight).action(hotel).action(car).action(after)
                .workflow("op-cancel", wf));
        SagaView waiting = engine.start("op-cancel", "x").await(WAIT);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        engine.cancel(waiting.id());
        SagaView view = awaitStatus(engine, waiting.id(), SagaStatus.COMPENSATED);

        assertThat(ledger.compensated(view.id())).containsExactly("cancelCar", "cancelHotel", "cancelFlight");
        assertThat(ledger.attempts(view.id(), "cancelAfterApproval", Kind.EXECUTE)).isEmpty();
        assertThat(view.cancelRequested()).isTrue();
        assertThat(step(view, "cancelFlight").status()).isEqualTo(StepStatus.COMPENSATED);
    }

    @Test
    void cancellingARunningSagaStopsItAtItsNextStepAndCompensates() throws Exception {
        CompensableAction first = new CompensableAction("cancelRunningFirst", ledger);
        CompensableAction second = new CompensableAction("cancelRunningSecond", ledger);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(first, input);
            entered.countDown();
            release.await(5, TimeUnit.SECONDS);
            try {
                return saga.step(second, input);
            }
            catch (SagaCancelledException ex) {
                seen.add("cancelled");
                throw ex;
            }
        });
        SagaEngine engine = started(engineBuilder().action(first).action(second).workflow("op-cancel-running", wf));
        SagaHandle handle = engine.start("op-cancel-running", "x");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        engine.cancel(handle.id());
        release.countDown();
        SagaView view = awaitStatus(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(seen).contains("cancelled");
        assertThat(ledger.attempts(view.id(), "cancelRunningSecond", Kind.EXECUTE)).isEmpty();
        assertThat(ledger.compensated(view.id())).containsExactly("cancelRunningFirst");
        assertThat(view.cancelRequested()).isTrue();
    }

    @Test
    void resolvingAnInDoubtStepAsHappenedContinuesWithTheGivenOutput() {
        CompensableAction hold = new CompensableAction("resolveHold", ledger);
        IrreversibleAction charge = new IrreversibleAction("resolveCharge", ledger).outcomeUnknownTimes(1);
        CompensableAction ship = new CompensableAction("resolveShip", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(hold, input);
            String receipt = saga.step(charge, input);
            return saga.step(ship, receipt);
        });
        SagaEngine engine = started(engineBuilder().action(hold).action(charge).action(ship)
                .workflow("op-happened", wf));
        SagaView inDoubt = engine.start("op-happened", "x").await(WAIT);
        assertThat(inDoubt.status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);
        assertThat(step(inDoubt, "resolveCharge").status()).isEqualTo(StepStatus.STARTED);
        assertThat(inDoubt.errorStep()).isEqualTo(2);

        engine.resolve(inDoubt.id(), Resolution.happened("receipt-42").withNote("seen in the PSP dashboard"));
        SagaView view = awaitStatus(engine, inDoubt.id(), SagaStatus.COMPLETED);

        assertThat(decode(view.output(), String.class)).isEqualTo("resolveShip(receipt-42)");
        assertThat(ledger.attemptCount(view.id(), "resolveCharge", Kind.EXECUTE)).isEqualTo(1);
        assertThat(ledger.attemptCount(view.id(), "resolveHold", Kind.EXECUTE)).isEqualTo(1);
        assertThat(step(view, "resolveCharge").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(decode(step(view, "resolveCharge").output(), String.class)).isEqualTo("receipt-42");
    }

    @Test
    void resolvingAnInDoubtStepAsRetryRunsItOnceMore() {
        IrreversibleAction email = new IrreversibleAction("resolveEmail", ledger)
                .sleepingOnFirstCalls(1, Duration.ofSeconds(2))
                .withPolicy(TestPolicies.fast().withTimeout(Duration.ofMillis(100)));
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.step(email, input));
        SagaEngine engine = started(engineBuilder().action(email).workflow("op-retry-step", wf));
        SagaView inDoubt = engine.start("op-retry-step", "hello").await(WAIT);
        assertThat(inDoubt.status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);
        assertThat(ledger.attemptCount(inDoubt.id(), "resolveEmail", Kind.EXECUTE)).isEqualTo(1);

        engine.resolve(inDoubt.id(), Resolution.retryStep());
        SagaView view = awaitStatus(engine, inDoubt.id(), SagaStatus.COMPLETED);

        assertThat(ledger.attemptCount(view.id(), "resolveEmail", Kind.EXECUTE)).isEqualTo(2);
        assertThat(ledger.executed(view.id())).containsExactly("resolveEmail");
        assertThat(decode(view.output(), String.class)).isEqualTo("resolveEmail(hello)");
    }

    @Test
    void resolvingAnInDoubtStepAsCompensateUndoesWhatIsDone() {
        CompensableAction hold = new CompensableAction("resolveReserve", ledger);
        IrreversibleAction transfer = new IrreversibleAction("resolveTransfer", ledger).outcomeUnknownTimes(1);
        CompensableAction after = new CompensableAction("resolveAfter", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(hold, input);
            saga.step(transfer, input);
            return saga.step(after, input);
        });
        SagaEngine engine = started(engineBuilder().action(hold).action(transfer).action(after)
                .workflow("op-compensate", wf));
        SagaView inDoubt = engine.start("op-compensate", "x").await(WAIT);
        assertThat(inDoubt.status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);

        engine.resolve(inDoubt.id(), Resolution.compensate());
        SagaView view = awaitStatus(engine, inDoubt.id(), SagaStatus.COMPENSATED);

        assertThat(ledger.compensated(view.id())).containsExactly("resolveReserve");
        assertThat(ledger.attemptCount(view.id(), "resolveTransfer", Kind.EXECUTE)).isEqualTo(1);
        assertThat(ledger.attempts(view.id(), "resolveAfter", Kind.EXECUTE)).isEmpty();
        assertThat(step(view, "resolveTransfer").status()).isEqualTo(StepStatus.FAILED);
    }

    @Test
    void retryingASagaWithAnInDoubtStepIsRefusedAndSaysToResolveItFirst() {
        IrreversibleAction refund = new IrreversibleAction("retryInDoubtRefund", ledger).outcomeUnknownTimes(1);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.step(refund, input));
        SagaEngine engine = started(engineBuilder().action(refund).workflow("op-retry-in-doubt", wf));
        SagaView inDoubt = engine.start("op-retry-in-doubt", "x").await(WAIT);
        assertThat(inDoubt.status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);

        assertThatThrownBy(() -> engine.retry(inDoubt.id()))
                .isInstanceOf(InvalidSagaStateException.class)
                .hasMessageContaining(inDoubt.id())
                .hasMessageContaining("step 1 (retryInDoubtRefund)")
                .hasMessageContaining("resolve it first")
                .satisfies(ex -> assertThat(((InvalidSagaStateException) ex).step()).isEqualTo(1));
        pause(Duration.ofMillis(300));

        SagaView after = view(engine, inDoubt.id());
        assertThat(after.status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);
        assertThat(step(after, 1).status()).isEqualTo(StepStatus.STARTED);
        assertThat(ledger.attemptCount(inDoubt.id(), "retryInDoubtRefund", Kind.EXECUTE)).isEqualTo(1);
        assertThat(wf.runs()).isEqualTo(1);
    }

    @Test
    void anIrreversibleStepIsJournaledAsAnIntentBeforeItRuns() {
        IntentProbe probe = new IntentProbe(schema);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.step(probe, input));
        SagaEngine engine = started(engineBuilder().action(probe).workflow("op-intent", wf));

        SagaView view = engine.start("op-intent", "x").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(decode(view.output(), String.class)).isEqualTo("STARTED");
        assertThat(step(view, 1).status()).isEqualTo(StepStatus.SUCCEEDED);
    }

    /** An IRREVERSIBLE action that outputs the journal status of its own step, read while it runs. */
    static final class IntentProbe implements SagaAction<String, String> {

        private final TestDatabase schema;

        IntentProbe(TestDatabase schema) {
            this.schema = schema;
        }

        @Override
        public String execute(String input, ActionContext ctx) {
            List<String> statuses = schema.jdbc().queryForList("SELECT status FROM " + schema.tablePrefix()
                    + "step WHERE saga_id = ? AND seq = ?", String.class, ctx.sagaId(), ctx.step());
            return statuses.isEmpty() ? "no intent" : statuses.get(0);
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.IRREVERSIBLE;
        }
    }
}
