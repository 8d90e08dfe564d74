package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.SagaObserver;

/** All registered observers as one, each call shielded so that an observer cannot break a saga. */
final class Observers implements SagaObserver {

    private static final Logger log = LoggerFactory.getLogger(Observers.class);

    private final List<SagaObserver> observers;

    Observers(List<SagaObserver> observers) {
        this.observers = List.copyOf(observers);
    }

    @Override
    public void sagaStarted(String sagaId, String workflow) {
        each(observer -> observer.sagaStarted(sagaId, workflow));
    }

    @Override
    public void sagaResumed(String sagaId, String workflow, boolean recovered) {
        each(observer -> observer.sagaResumed(sagaId, workflow, recovered));
    }

    @Override
    public void sagaRested(String sagaId, String workflow, SagaStatus status) {
        each(observer -> observer.sagaRested(sagaId, workflow, status));
    }

    @Override
    public StepObservation stepStarted(StepEvent step) {
        if (observers.isEmpty()) {
            return StepObservation.NONE;
        }
        StepObservation[] started = new StepObservation[observers.size()];
        for (int i = 0; i < started.length; i++) {
            SagaObserver observer = observers.get(i);
            int index = i;
            started[i] = StepObservation.NONE;
            shielded(() -> started[index] = observer.stepStarted(step));
        }
        return (outcome, attempts, failure) -> {
            for (StepObservation observation : started) {
                shielded(() -> observation.stop(outcome, attempts, failure));
            }
        };
    }

    @Override
    public void stepJournaled(StepEvent step, StepStatus status) {
        each(observer -> observer.stepJournaled(step, status));
    }

    @Override
    public void stepRetried(StepEvent step, int nextAttempt, Throwable failure) {
        each(observer -> observer.stepRetried(step, nextAttempt, failure));
    }

    @Override
    public void modelTokens(StepEvent step, int inputTokens, int outputTokens, TokenUse use) {
        each(observer -> observer.modelTokens(step, inputTokens, outputTokens, use));
    }

    @Override
    public void modelCallThrottled(StepEvent step, String rateKey, Duration wait) {
        each(observer -> observer.modelCallThrottled(step, rateKey, wait));
    }

    @Override
    public void compensationEnded(StepEvent step, boolean succeeded, int attempts) {
        each(observer -> observer.compensationEnded(step, succeeded, attempts));
    }

    @Override
    public void retentionDeleted(int sagas, long rows, Duration took) {
        each(observer -> observer.retentionDeleted(sagas, rows, took));
    }

    @Override
    public void scheduleFired(String schedule, String workflow, Instant tick, boolean created) {
        each(observer -> observer.scheduleFired(schedule, workflow, tick, created));
    }

    @Override
    public void scheduleTicksSkipped(String schedule, String workflow, long ticks) {
        each(observer -> observer.scheduleTicksSkipped(schedule, workflow, ticks));
    }

    private void each(java.util.function.Consumer<SagaObserver> call) {
        for (SagaObserver observer : observers) {
            shielded(() -> call.accept(observer));
        }
    }

    private static void shielded(Runnable call) {
        try {
            call.run();
        }
        catch (RuntimeException ex) {
            log.warn("A saga observer failed; ignoring it: {}", describe(ex));
        }
    }

    private static String describe(@Nullable Throwable ex) {
        return ex == null ? "" : ex.toString();
    }
}
