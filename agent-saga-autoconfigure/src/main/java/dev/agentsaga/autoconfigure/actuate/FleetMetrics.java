package dev.agentsaga.autoconfigure.actuate;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.agentsaga.SagaCoordinator;

/**
 * The gauge {@code agent.saga.sagas.unserved}: unfinished sagas of the workflow versions that no running node
 * runs (see {@link SagaCoordinator#fleet()}). The fleet is read at most once per {@link #REFRESH}, however
 * often the registry asks; NaN while it cannot be read.
 */
public class FleetMetrics implements MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(FleetMetrics.class);

    static final Duration REFRESH = Duration.ofSeconds(10);

    private final ObjectProvider<SagaCoordinator> coordinator;

    private long readAt;

    private double unserved = Double.NaN;

    public FleetMetrics(ObjectProvider<SagaCoordinator> coordinator) {
        this.coordinator = coordinator;
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
    }

    synchronized double unserved() {
        long now = System.nanoTime();
        if (readAt == 0 || now - readAt >= REFRESH.toNanos()) {
            readAt = now;
            try {
                unserved = coordinator.getObject().fleet().unservedSagas();
            }
            catch (RuntimeException ex) {
                log.debug("Could not read the fleet for agent.saga.sagas.unserved: {}", ex.getMessage());
                unserved = Double.NaN;
            }
        }
        return unserved;
    }
}
