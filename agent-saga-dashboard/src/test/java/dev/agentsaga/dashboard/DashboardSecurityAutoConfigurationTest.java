package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import dev.agentsaga.SagaCoordinator;

@Tag("spring-security")
class DashboardSecurityAutoConfigurationTest {

    @Test
    void withSpringSecurityActionsNeedTheOperatorRoleAndCsrfProtection() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AgentSagaDashboardAutoConfiguration.class))
                .withBean(SagaCoordinator.class, () -> mock(SagaCoordinator.class))
                .withPropertyValues("agent.saga.dashboard.enabled=true")
                .run(context -> assertThat(context.getBean(OperatorAccess.class))
                        .isInstanceOf(SpringSecurityOperatorAccess.class));
    }
}
