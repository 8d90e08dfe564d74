package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaFleet;
import dev.agentsaga.SagaQueue;

/** {@code agent.saga.queues.*}: each queue's limits reach the engine, and the fleet view shows them. */
class QueuesAutoConfigurationTest {

    private static ScratchSchema schema;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class))
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4",
                    "agent.saga.queues.refund.global-concurrency=5", "agent.saga.queues.refund.node-concurrency=2",
                    "agent.saga.queues.support.partition-concurrency=3", "agent.saga.queues.support.aging=1m");

    @BeforeAll
    static void createSchema() {
        schema = ScratchSchema.empty();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void configuresEachQueueWithItsLimits() {
        contextRunner.run(context -> {
            SagaFleet fleet = context.getBean(SagaCoordinator.class).fleet();

            assertThat(fleet.queues()).extracting(SagaFleet.Queue::limits).containsExactly(
                    new SagaQueue("refund", 5, 2, 0, SagaQueue.DEFAULT_AGING),
                    new SagaQueue("support", 0, 0, 3, Duration.ofMinutes(1)));
            assertThat(fleet.queues()).allMatch(queue -> queue.running() == 0 && queue.waiting() == 0);
        });
    }

    @Test
    void refusesANegativeLimitAtStartUp() {
        contextRunner.withPropertyValues("agent.saga.queues.refund.global-concurrency=-1").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("refund")
                    .hasMessageContaining("must not be negative");
        });
    }
}
