package dev.agentsaga.autoconfigure.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.SagaObserver;

/**
 * Records agent-saga's metrics in Micrometer and wraps each executing step in an {@link Observation}
 * named {@code agent.saga.step}, so tracing works where the application has it.
 */
public class MicrometerSagaObserver implements SagaObserver {

    private final MeterRegistry meters;

    private final ObservationRegistry observations;

    public MicrometerSagaObserver(MeterRegistry meters, ObservationRegistry observations) {
        this.meters = meters;
        this.observations = observations;
    }

    @Override
    public void sagaStarted(String sagaId, String workflow) {
        Counter.builder("agent.saga.sagas.started").description("Sagas started").tag("workflow", workflow)
                .register(meters).increment();
    }

    @Override
    public void sagaResumed(String sagaId, String workflow, boolean recovered) {
        if (recovered) {
            Counter.builder("agent.saga.recoveries").description("Sagas taken over after their engine stopped")
                    .tag("workflow", workflow).register(meters).increment();
        }
    }

    @Override
    public void sagaRested(String sagaId, String workflow, SagaStatus status) {
        if (status == SagaStatus.WAITING || status == SagaStatus.RUNNING || status == SagaStatus.COMPENSATING) {
            return;
        }
        Counter.builder("agent.saga.sagas.finished").description("Sagas that came to rest, by status")
                .tag("workflow", workflow).tag("status", status.name().toLowerCase(Locale.ROOT))
                .register(meters).increment();
    }

    @Override
    public StepObservation stepStarted(StepEvent step) {
        long start = System.nanoTime();
        Observation observation = Observation.createNotStarted("agent.saga.step", observations)
                .contextualName("saga step " + step.name())
                .lowCardinalityKeyValue("workflow", step.workflow())
                .lowCardinalityKeyValue("action", step.name())
                .lowCardinalityKeyValue("kind", step.kind().name().toLowerCase(Locale.ROOT))
                .highCardinalityKeyValue("saga.id", step.sagaId())
                .highCardinalityKeyValue("saga.step", String.valueOf(step.seq()))
                .start();
        return (outcome, attempts, failure) -> {
            Timer.builder("agent.saga.step.duration").description("Time steps took, retries included")
                    .tag("workflow", step.workflow()).tag("action", step.name()).tag("outcome", outcome)
                    .register(meters).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            observation.lowCardinalityKeyValue("outcome", outcome);
            stop(observation, failure);
        };
    }

    @Override
    public void stepRetried(StepEvent step, int nextAttempt, Throwable failure) {
        Counter.builder("agent.saga.retries").description("Step attempts that were retried")
                .tag("workflow", step.workflow()).tag("action", step.name()).register(meters).increment();
    }

    @Override
    public void modelTokens(StepEvent step, int inputTokens, int outputTokens, TokenUse use) {
        String source = use.name().toLowerCase(Locale.ROOT);
        tokens(step.workflow(), "input", source).increment(inputTokens);
        tokens(step.workflow(), "output", source).increment(outputTokens);
    }

    private Counter tokens(String workflow, String direction, String source) {
        return Counter.builder("agent.saga.llm.tokens")
                .description("Model tokens of journaled calls: spent; saved, answered from the journal when a "
                        + "saga was recovered; or replayed, answered from the journal when a saga resumed after a wait")
                .tag("workflow", workflow).tag("direction", direction).tag("source", source).register(meters);
    }

    /** One timer per rate key: its count the calls throttled, its total the time their sagas were parked for. */
    @Override
    public void modelCallThrottled(StepEvent step, String rateKey, Duration wait) {
        Timer.builder("agent.saga.llm.throttled")
                .description("Model calls that waited for their rate limit's next window, and how long they were "
                        + "parked for")
                .tag("workflow", step.workflow()).tag("key", rateKey).register(meters).record(wait);
    }

    @Override
    public void compensationEnded(StepEvent step, boolean succeeded, int attempts) {
        Counter.builder("agent.saga.compensations").description("Compensations of completed steps")
                .tag("workflow", step.workflow()).tag("action", step.name())
                .tag("outcome", succeeded ? "compensated" : "failed").register(meters).increment();
    }

    private static void stop(Observation observation, @Nullable Throwable failure) {
        if (failure != null) {
            observation.error(failure);
        }
        observation.stop();
    }

    @Override
    public void retentionDeleted(int sagas, long rows, Duration took) {
        Counter.builder("agent.saga.retention.deleted").description("Finished sagas deleted by retention")
                .baseUnit("sagas").register(meters).increment(sagas);
        Counter.builder("agent.saga.retention.rows")
                .description("Rows deleted by retention: the sagas', their steps' and their signals'").baseUnit("rows")
                .register(meters).increment(rows);
        Timer.builder("agent.saga.retention.batch").description("Retention batches, archiving included")
                .register(meters).record(took);
    }

    @Override
    public void scheduleFired(String schedule, String workflow, Instant tick, boolean created) {
        Counter.builder("agent.saga.schedule.ticks")
                .description("Schedule ticks this node fired: started (it created the tick's saga) or "
                        + "already-started (another node had)")
                .tag("schedule", schedule).tag("workflow", workflow).tag("outcome", created ? "started" : "already-started")
                .register(meters).increment();
    }

    @Override
    public void scheduleTicksSkipped(String schedule, String workflow, long ticks) {
        Counter.builder("agent.saga.schedule.ticks").description("Schedule ticks this node skipped as missed")
                .tag("schedule", schedule).tag("workflow", workflow).tag("outcome", "skipped").register(meters).increment(ticks);
    }
}
