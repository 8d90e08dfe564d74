package dev.agentsaga.autoconfigure.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.autoconfigure.AgentSagaProperties;
import dev.agentsaga.autoconfigure.AgentSagaAutoConfiguration;

/**
 * Records agent-saga's metrics ({@code agent.saga.*}) where a {@link MeterRegistry} exists, and
 * observes each step where an {@link ObservationRegistry} exists.
 */
@AutoConfiguration(before = AgentSagaAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, ObservationRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
public final class AgentSagaMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MicrometerSagaObserver micrometerSagaObserver(MeterRegistry meters, ObjectProvider<ObservationRegistry> observations) {
        return new MicrometerSagaObserver(meters, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    /** The gauge of unfinished sagas that no running node resumes, bound once the coordinator exists. */
    @Bean
    @ConditionalOnMissingBean
    FleetMetrics agentSagaFleetMetrics(ObjectProvider<SagaCoordinator> coordinator,
            ObjectProvider<AgentSagaProperties> properties) {
        AgentSagaProperties configured = properties.getIfAvailable();
        return new FleetMetrics(coordinator, configured == null ? java.util.List.of()
                : configured.getQueues().keySet());
    }
}
