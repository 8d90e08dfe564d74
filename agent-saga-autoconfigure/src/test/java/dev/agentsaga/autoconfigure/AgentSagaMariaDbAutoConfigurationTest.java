package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.test.TestDatabase;

/** The starter on MariaDB: nothing to configure but the data source; the dialect is found, the tables made. */
class AgentSagaMariaDbAutoConfigurationTest {

    private static TestDatabase database;

    @BeforeAll
    static void createDatabase() {
        if (TestDatabase.mariadbAvailable()) {
            database = TestDatabase.emptyMariadb();
        }
    }

    @BeforeEach
    void requireMariadb() {
        TestDatabase.assumeMariadb();
    }

    @AfterAll
    static void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    private ApplicationContextRunner contextRunner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        AgentSagaAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
                        "spring.datasource.hikari.maximum-pool-size=4");
    }

    @Test
    void createsTheTablesAndRunsASagaWithTheDataSourceAlone() {
        contextRunner().withUserConfiguration(AgentSagaAutoConfigurationTest.BeanNamedConfiguration.class)
                .run(context -> {

                    SagaView view = context.getBean(SagaCoordinator.class).start("tripPlanner", "Oslo")
                            .await(Duration.ofSeconds(10));

                    assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
                    assertThat(database.jdbc().queryForList("""
                            SELECT table_name FROM information_schema.tables
                            WHERE table_schema = ? AND table_name LIKE 'agent\\_saga\\_%' ORDER BY table_name""",
                            String.class, database.name()))
                            .containsExactly("agent_saga_instance", "agent_saga_lock", "agent_saga_node",
                                    "agent_saga_rate_window", "agent_saga_schedule", "agent_saga_signal",
                                    "agent_saga_step");
                });
    }
}
