package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.TestPolicies;

/** Observers hear of sagas, steps, retries and compensations as they happen, and cannot break them. */
class ObserverTest extends EngineTestSupport {

    static final class Recording implements SagaObserver {

        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void sagaStarted(String sagaId, String workflow) {
            events.add("started " + workflow);
        }

        @Override
        public void sagaRested(String sagaId, String workflow, SagaStatus status) {
            events.add("rested " + status);
        }

        @Override
        public StepObservation stepStarted(StepEvent step) {
            events.add("step " + step.seq() + " " + step.name());
            return (outcome, attempts, failure) -> events.add("step " + step.seq() + " " + outcome + " after "
                    + attempts);
        }

        @Override
        public void stepRetried(StepEvent step, int nextAttempt, @Nullable Throwable failure) {
            events.add("retry " + step.name() + " attempt " + nextAttempt);
        }

        @Override
        public void compensationEnded(StepEvent step, boolean succeeded, int attempts) {
            events.add("compensated " + step.name() + " " + succeeded);
        }
    }

    static final class Throwing implements SagaObserver {

        @Override
        public void sagaStarted(String sagaId, String workflow) {
            throw new IllegalStateException("observer bug");
        }

        @Override
        public StepObservation stepStarted(StepEvent step) {
            throw new IllegalStateException("observer bug");
        }
    }

    @Test
    void observersHearStepsRetriesCompensationsAndOutcomes() {
        Recording recording = new Recording();
        CompensableAction hold = new CompensableAction("obsHold", ledger).failingTimes(1)
                .withPolicy(TestPolicies.fast(3));
        CompensableAction pay = new CompensableAction("obsPay", ledger).alwaysFailing().withPolicy(TestPolicies.fast(2));
        ScriptedWorkflow workflow = new ScriptedWorkflow((input, saga) -> saga.step(hold, input) + saga.step(pay, input));
        SagaEngine engine = started(engineBuilder().action(hold).action(pay).workflow("observed", workflow)
                .observer(new Throwing()).observer(recording));

        SagaView view = engine.start("observed", "x").await(WAIT);
        // the run tells its observers it rested once the saga's row says so: wait for that last word
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!recording.events.contains("rested COMPENSATED") && System.nanoTime() < deadline) {
            pause(Duration.ofMillis(5));
        }

        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(recording.events).containsExactly(
                "started observed",
                "step 1 obsHold", "retry obsHold attempt 2", "step 1 succeeded after 2",
                "step 2 obsPay", "retry obsPay attempt 2", "step 2 failed after 2",
                "compensated obsHold true",
                "rested COMPENSATED");
    }
}
