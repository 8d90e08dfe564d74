package dev.agentsaga.autoconfigure.actuate;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaFleet;

/**
 * The gauge {@code agent.saga.sagas.unserved}: unfinished sagas of the workflow versions that no running node
 * runs (see {@link SagaCoordinator#fleet()}); and per configured queue, {@code agent.saga.queue.running} and
 * {@code agent.saga.queue.waiting} (tag {@code queue}). The fleet is read at most once per {@link #REFRESH},
 * however often the registry asks; NaN while it cannot be read.
 */
public class FleetMetrics implements MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(FleetMetrics.class);

    static final Duration REFRESH = Duration.ofSeconds(10);

    private final ObjectProvider<SagaCoordinator> coordinator;

    private long readAt;

    private double unserved = Double.NaN;

    private @Nullable SagaFleet fleet;

    private final Collection<String> queues;

    public FleetMetrics(ObjectProvider<SagaCoordinator> coordinator) {
        this(coordinator, List.of());
    }

    /** With gauges for the configured {@code queues}. */
    public FleetMetrics(ObjectProvider<SagaCoordinator> coordinator, Collection<String> queues) {
        this.coordinator = coordinator;
        this.queues = List.copyOf(queues);
    }

    /** Registers the gauge when there is a coordinator; the gauge holds this binder, not only weakly. */
    @Override
    public void bindTo(MeterRegistry registry) {
        if (coordinator.getIfAvailable() == null) {
            return;
        }
        Gauge.builder("agent.saga.sagas.unserved", this::unserved).baseUnit("sagas")
                .description("Unfinished sagas of workflow versions that no running node runs")
                .register(registry);
        for (String queue : queues) {
            Gauge.builder("agent.saga.queue.running", this, metrics -> metrics.queue(queue, true)).baseUnit("sagas")
                    .description("Sagas of a configured queue that hold a lease: run, or are queued on a node")
                    .tag("queue", queue).register(registry);
            Gauge.builder("agent.saga.queue.waiting", this, metrics -> metrics.queue(queue, false)).baseUnit("sagas")
                    .description("Sagas of a configured queue that wait for their turn").tag("queue", queue)
                    .register(registry);
        }
    }

    synchronized double queue(String name, boolean running) {
        unserved();
        SagaFleet read = fleet;
        if (read == null) {
            return Double.NaN;
        }
        return read.queues().stream().filter(queue -> queue.limits().name().equals(name)).findFirst()
                .map(queue -> (double) (running ? queue.running() : queue.waiting())).orElse(Double.NaN);
    }

    synchronized double unserved() {
        long now = System.nanoTime();
        if (readAt == 0 || now - readAt >= REFRESH.toNanos()) {
            readAt = now;
            try {
                fleet = coordinator.getObject().fleet();
                unserved = fleet.unservedSagas();
            }
            catch (RuntimeException ex) {
                log.debug("Could not read the fleet for agent.saga.sagas.unserved: {}", ex.getMessage());
                unserved = Double.NaN;
                fleet = null;
            }
        }
        return unserved;
    }
}
