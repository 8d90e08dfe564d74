package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaSchedule;
import dev.agentsaga.ScheduleView;
import dev.agentsaga.autoconfigure.actuate.AgentSagaMetricsAutoConfiguration;
import dev.agentsaga.autoconfigure.actuate.SagaFleetEndpoint;

/**
 * {@code agent.saga.schedules.<name>.*}: a schedule bound from properties fires its workflow with its JSON input,
 * shows in the {@code sagafleet} endpoint and counts its ticks; a schedule without a trigger fails the start-up
 * naming the properties to set.
 */
class ScheduleAutoConfigurationTest {

    private static ScratchSchema schema;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class,
                    AgentSagaMetricsAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class)
            .withBean("regionReport", RegionReport.class)
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4",
                    "agent.saga.poll-interval=100ms");

    @BeforeAll
    static void createSchema() {
        schema = ScratchSchema.empty();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void aScheduleFromPropertiesStartsItsWorkflowWithItsInputAndShowsInTheFleetEndpoint() {
        contextRunner.withPropertyValues("agent.saga.schedules.eu-report.workflow=regionReport",
                "agent.saga.schedules.eu-report.cron=* * * * * *", "agent.saga.schedules.eu-report.zone=Europe/Paris",
                "agent.saga.schedules.eu-report.input={\"region\": \"eu\"}",
                "agent.saga.schedules.eu-report.missed-ticks=catch-up",
                "agent.saga.schedules.eu-report.max-catch-up=5").run(context -> {
                    SagaCoordinator coordinator = context.getBean(SagaCoordinator.class);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);

                    await().atMost(Duration.ofSeconds(10)).until(() -> !ids().isEmpty());
                    String id = ids().get(0);

                    assertThat(coordinator.find(id).orElseThrow().input()).isEqualTo("{\"region\":\"eu\"}");
                    List<ScheduleView> schedules = new SagaFleetEndpoint(coordinator).fleet().schedules();
                    assertThat(schedules).singleElement().satisfies(view -> {
                        assertThat(view.name()).isEqualTo("eu-report");
                        assertThat(view.workflow()).isEqualTo("regionReport");
                        assertThat(view.trigger()).isEqualTo("cron * * * * * * Europe/Paris");
                        assertThat(view.missedTicks()).isEqualTo(SagaSchedule.MissedTicks.CATCH_UP);
                        assertThat(view.lastTick()).isNotNull();
                        assertThat(view.nextTick()).isAfter(view.lastTick());
                    });
                    await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("agent.saga.schedule.ticks")
                            .tag("schedule", "eu-report").tag("outcome", "started").counter() != null);
                });
    }

    @Test
    void aScheduleWithoutCronOrFixedRateFailsTheStartUp() {
        contextRunner.withPropertyValues("agent.saga.schedules.broken.workflow=regionReport").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("agent.saga.schedules.broken.cron")
                    .hasMessageContaining("agent.saga.schedules.broken.fixed-rate");
        });
    }

    private static List<String> ids() {
        return schema.jdbc().queryForList("SELECT id FROM agent_saga_instance WHERE id LIKE 'schedule:eu-report:%'",
                String.class);
    }

    /** The input of the report. */
    public record Region(String region) {
    }

    /** A report of one region. */
    public static class RegionReport implements AgentWorkflow<Region, String> {

        @Override
        public String run(Region input, Saga saga) {
            return "report of " + input.region();
        }
    }
}
