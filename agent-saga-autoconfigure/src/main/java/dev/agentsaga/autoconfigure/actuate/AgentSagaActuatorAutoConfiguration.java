package dev.agentsaga.autoconfigure.actuate;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.autoconfigure.AgentSagaAutoConfiguration;
import dev.agentsaga.autoconfigure.AgentSagaProperties;

/** The {@code sagas} and {@code sagafleet} endpoints and the {@code agentSaga} health indicator. */
@AutoConfiguration(after = AgentSagaAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
public final class AgentSagaActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(SagaCoordinator.class)
    @ConditionalOnAvailableEndpoint
    SagasEndpoint sagasEndpoint(SagaCoordinator coordinator, AgentSagaProperties properties) {
        return new SagasEndpoint(coordinator, new PayloadRedactor(properties.getEndpoint().getRedact()));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(SagaCoordinator.class)
    @ConditionalOnAvailableEndpoint
    SagaFleetEndpoint sagaFleetEndpoint(SagaCoordinator coordinator) {
        return new SagaFleetEndpoint(coordinator);
    }

    /** The health indicator, where Spring Boot's health support is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnBean(SagaCoordinator.class)
    @ConditionalOnEnabledHealthIndicator("agentsaga")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "agentSagaHealthIndicator")
        AgentSagaHealthIndicator agentSagaHealthIndicator(SagaCoordinator coordinator) {
            return new AgentSagaHealthIndicator(coordinator);
        }
    }
}
