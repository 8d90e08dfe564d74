package dev.agentsaga.engine;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Effect;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.IrreversibleAction;
import dev.agentsaga.testing.ReadOnlyAction;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.TestPolicies;

/** When a workflow fails, the engine undoes its completed COMPENSABLE steps in reverse order, and only those. */
class CompensationTest extends EngineTestSupport {

    @Test
    void compensatesCompletedStepsInReverseOrder() {
        CompensableAction flight = new CompensableAction("bookFlight", ledger);
        ReadOnlyAction quote = new ReadOnlyAction("quoteHotel", ledger);
        CompensableAction hotel = new CompensableAction("bookHotel", ledger);
        IrreversibleAction email = new IrreversibleAction("sendEmail", ledger);
        CompensableAction car = new CompensableAction("rentCar", ledger);
        CompensableAction pay = new CompensableAction("payDeposit", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(1));
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> {
            saga.step(flight, input);
            saga.step(quote, input);
            saga.step(hotel, input);
            saga.step(email, input);
            saga.step(car, input);
            return saga.step(pay, input);
        });
        SagaEngine engine = started(engineBuilder().action(flight).action(quote).action(hotel).action(email)
                .action(car).action(pay).workflow("comp-trip", trip));

        SagaView view = engine.start("comp-trip", "rome").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.compensated(view.id())).containsExactly("rentCar", "bookHotel", "bookFlight");
        assertThatSaga(view).compensatedInOrder("rentCar", "bookHotel", "bookFlight");
        assertThat(step(view, "bookFlight").status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(step(view, "bookHotel").status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(step(view, "rentCar").status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(step(view, "rentCar").compensatedAt()).isNotNull();
        assertThat(step(view, "payDeposit").status()).isEqualTo(StepStatus.FAILED);
    }

    @Test
    void skipsReadOnlyAndIrreversibleStepsAndSaysWhy() {
        CompensableAction reserve = new CompensableAction("reserveSeat", ledger);
        ReadOnlyAction lookup = new ReadOnlyAction("lookUpFare", ledger);
        IrreversibleAction notify = new IrreversibleAction("notifyCustomer", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(reserve, input);
            saga.step(lookup, input);
            saga.step(notify, input);
            throw new IllegalStateException("planner gave up");
        });
        SagaEngine engine = started(engineBuilder().action(reserve).action(lookup).action(notify)
                .workflow("comp-skip", wf));

        SagaView view = engine.start("comp-skip", "x").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.compensated(view.id())).containsExactly("reserveSeat");
        assertThatSaga(view).compensatedInOrder("reserveSeat");
        assertThat(step(view, "lookUpFare").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(step(view, "lookUpFare").compensationNote()).isNotNull().contains("READ_ONLY");
        assertThat(step(view, "notifyCustomer").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(step(view, "notifyCustomer").compensationNote()).isNotNull().contains("IRREVERSIBLE");
        assertThat(step(view, "reserveSeat").compensationNote()).isNull();
    }

    @Test
    void compensatesWithTheExecutionsInputOutputAndIdempotencyKey() {
        CompensableAction reserve = new CompensableAction("holdRoom", ledger);
        CompensableAction fail = new CompensableAction("chargeRoom", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(1));
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(reserve, input);
            return saga.step(fail, input);
        });
        SagaEngine engine = started(engineBuilder().action(reserve).action(fail).workflow("comp-args", wf));

        SagaView view = engine.start("comp-args", "room-7").await(WAIT);

        Effect execution = ledger.effects(view.id(), Kind.EXECUTE).get(0);
        Effect compensation = ledger.effects(view.id(), Kind.COMPENSATE).get(0);
        assertThat(compensation.idempotencyKey()).isEqualTo(execution.idempotencyKey()).isEqualTo(view.id() + ":1");
        assertThat(compensation.payload()).isEqualTo("room-7 -> holdRoom(room-7)");
    }

    @Test
    void endsCompensatedWithAnErrorNamingTheFailingStep() {
        CompensableAction reserve = new CompensableAction("reserveTable", ledger);
        CompensableAction confirm = new CompensableAction("confirmTable", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(2));
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(reserve, input);
            return saga.step(confirm, input);
        });
        SagaEngine engine = started(engineBuilder().action(reserve).action(confirm).workflow("comp-error", wf));

        SagaView view = engine.start("comp-error", "x").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(view.error()).isNotNull().contains("confirmTable");
        assertThat(view.errorStep()).isEqualTo(2);
    }

    @Test
    void endsFailedWhenNoCompensableStepCompleted() {
        ReadOnlyAction lookup = new ReadOnlyAction("checkStock", ledger);
        IrreversibleAction audit = new IrreversibleAction("writeAudit", ledger);
        CompensableAction order = new CompensableAction("placeOrder", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(1));
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(lookup, input);
            saga.step(audit, input);
            return saga.step(order, input);
        });
        SagaEngine engine = started(engineBuilder().action(lookup).action(audit).action(order)
                .workflow("comp-nothing", wf));

        SagaView view = engine.start("comp-nothing", "x").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(view.error()).isNotNull().contains("placeOrder");
        assertThat(ledger.attempts(view.id(), Kind.COMPENSATE)).isEmpty();
        assertThatSaga(view).compensatedNothing();
        assertThat(step(view, "placeOrder").status()).isEqualTo(StepStatus.FAILED);
    }

    @Test
    void workflowThatThrowsBeforeAnyStepEndsFailedWithItsMessage() {
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            throw new IllegalArgumentException("cannot plan a trip to " + input);
        });
        SagaEngine engine = started(engineBuilder().workflow("comp-throws", wf));

        SagaView view = engine.start("comp-throws", "atlantis").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(view.error()).isNotNull().contains("cannot plan a trip to atlantis");
        assertThat(view.steps()).isEmpty();
    }

    @Test
    void compensationThatKeepsFailingLeavesCompensationFailedAndRetryFinishesIt() {
        CompensableAction first = new CompensableAction("openAccount", ledger);
        CompensableAction second = new CompensableAction("fundAccount", ledger).compensationBroken(true)
                .withPolicy(TestPolicies.fast(2));
        CompensableAction third = new CompensableAction("issueCard", ledger);
        CompensableAction fail = new CompensableAction("activateCard", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(1));
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(first, input);
            saga.step(second, input);
            saga.step(third, input);
            return saga.step(fail, input);
        });
        SagaEngine engine = started(engineBuilder().action(first).action(second).action(third).action(fail)
                .workflow("comp-broken", wf));

        SagaView failed = engine.start("comp-broken", "x").await(WAIT);

        assertThat(failed.status()).isEqualTo(SagaStatus.COMPENSATION_FAILED);
        assertThat(failed.error()).isNotNull();
        assertThat(step(failed, "issueCard").status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(step(failed, "fundAccount").status()).isEqualTo(StepStatus.COMPENSATION_FAILED);
        assertThat(step(failed, "fundAccount").compensationError()).isNotNull().contains("broken");
        assertThat(ledger.attemptCount(failed.id(), "fundAccount", Kind.COMPENSATE)).isEqualTo(2);

        second.compensationBroken(false);
        engine.retry(failed.id());
        SagaView view = awaitStatus(engine, failed.id(), SagaStatus.COMPENSATED);

        assertThat(ledger.compensated(view.id())).containsExactly("issueCard", "fundAccount", "openAccount");
        assertThat(ledger.attemptCount(view.id(), "issueCard", Kind.COMPENSATE)).isEqualTo(1);
        assertThat(ledger.effects(view.id(), Kind.COMPENSATE)).allSatisfy(e -> assertThat(e.requests()).isEqualTo(1));
        assertThat(step(view, "fundAccount").status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(step(view, "openAccount").status()).isEqualTo(StepStatus.COMPENSATED);
    }
}
