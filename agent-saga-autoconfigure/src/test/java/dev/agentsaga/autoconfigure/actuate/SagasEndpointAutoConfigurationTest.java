package dev.agentsaga.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.agentsaga.autoconfigure.AgentSagaAutoConfiguration;
import dev.agentsaga.autoconfigure.ScratchSchema;

/** The sagas endpoint and the health indicator: when they are there, and what the health says. */
class SagasEndpointAutoConfigurationTest {

    private static final String HEALTH_INDICATOR = "agentSagaHealthIndicator";

    private static ScratchSchema schema;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class,
                    AgentSagaActuatorAutoConfiguration.class))
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4",
                    "management.endpoints.web.exposure.include=sagas,health,metrics");

    @BeforeAll
    static void createSchema() {
        schema = ScratchSchema.withTables();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void providesTheEndpointWhenItIsExposed() {
        contextRunner.run(context -> assertThat(context).hasSingleBean(SagasEndpoint.class));
    }

    @Test
    void leavesTheEndpointOutWhenItIsNotExposed() {
        contextRunner.withPropertyValues("management.endpoints.web.exposure.exclude=sagas")
                .run(context -> assertThat(context).doesNotHaveBean(SagasEndpoint.class));
    }

    @Test
    void leavesTheEndpointOutWhenItsAccessIsNone() {
        contextRunner.withPropertyValues("management.endpoint.sagas.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(SagasEndpoint.class));
    }

    @Test
    void leavesTheEndpointOutWithoutAnEngine() {
        contextRunner.withPropertyValues("agent.saga.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(SagasEndpoint.class).doesNotHaveBean(HEALTH_INDICATOR);
        });
    }

    @Test
    void contributesAHealthIndicator() {
        contextRunner.run(context -> assertThat(context).hasBean(HEALTH_INDICATOR)
                .getBean(HEALTH_INDICATOR).isInstanceOf(HealthIndicator.class));
    }

    @Test
    void leavesTheHealthIndicatorOutWhenItIsDisabled() {
        contextRunner.withPropertyValues("management.health.agentSaga.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(HEALTH_INDICATOR));
    }

    @Test
    void leavesTheHealthIndicatorOutWhenItIsDisabledInKebabCase() {
        contextRunner.withPropertyValues("management.health.agent-saga.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(HEALTH_INDICATOR));
    }

    @Test
    void reportsUpWithTheSagasThatNeedAnOperator() {
        contextRunner.run(context -> {

            Health health = context.getBean(HEALTH_INDICATOR, HealthIndicator.class).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsKeys("needsAttention", "compensationFailed");
            assertThat(health.getDetails().get("needsAttention")).isInstanceOf(Number.class);
        });
    }

    @Test
    void reportsDownWhenTheStoreIsUnreachable() {
        contextRunner.withUserConfiguration(SwitchableDataSourceConfiguration.class).run(context -> {
            HealthIndicator indicator = context.getBean(HEALTH_INDICATOR, HealthIndicator.class);
            SwitchableDataSource dataSource = context.getBean(SwitchableDataSource.class);

            dataSource.down = true;
            Health health = indicator.health();
            dataSource.down = false;

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        });
    }

    /** A data source that refuses connections while {@link #down}. */
    static class SwitchableDataSource extends DelegatingDataSource {

        volatile boolean down;

        SwitchableDataSource(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (down) {
                throw new SQLException("Connection refused (test)", "08001");
            }
            return super.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            if (down) {
                throw new SQLException("Connection refused (test)", "08001");
            }
            return super.getConnection(username, password);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SwitchableDataSourceConfiguration {

        @Bean
        SwitchableDataSource dataSource() {
            return new SwitchableDataSource(new DriverManagerDataSource(schema.jdbcUrl()));
        }
    }
}
