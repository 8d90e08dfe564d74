package dev.agentsaga.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.autoconfigure.AgentSagaAutoConfiguration;
import dev.agentsaga.autoconfigure.ScratchSchema;

/**
 * The meters and observations of sagas, read from a {@link SimpleMeterRegistry}. Each test runs a workflow
 * of its own name, so its meters are told apart by the {@code workflow} tag.
 */
class AgentSagaMetricsAutoConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ScratchSchema schema;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class,
                    AgentSagaMetricsAutoConfiguration.class))
            .withUserConfiguration(MetricsConfiguration.class)
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4",
                    "agent.saga.poll-interval=100ms", "agent.saga.policy.initial-backoff=1ms",
                    "agent.saga.policy.max-backoff=5ms");

    @BeforeAll
    static void createSchema() {
        schema = ScratchSchema.withTables();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void countsStartedAndFinishedSagasByWorkflow() {
        contextRunner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);

            SagaView view = context.getBean(SagaCoordinator.class).start("bookTrip", "Oslo").await(WAIT);

            assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(count(registry.find("agent.saga.sagas.started").tag("workflow", "bookTrip").counter()))
                        .isEqualTo(1);
                Counter finished = registry.find("agent.saga.sagas.finished").tag("workflow", "bookTrip").counter();
                assertThat(count(finished)).isEqualTo(1);
                assertThat(finished.getId().getTag("status")).isEqualToIgnoringCase("COMPLETED");
            });
        });
    }

    @Test
    void timesEachStepByWorkflowActionAndOutcome() {
        contextRunner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);

            context.getBean(SagaCoordinator.class).start("bookTrip", "Rome").await(WAIT);

            await().atMost(WAIT).untilAsserted(() -> {
                Timer timer = registry.find("agent.saga.step.duration")
                        .tags("workflow", "bookTrip", "action", "bookFlight")
                        .timer();
                assertThat(timer).isNotNull();
                assertThat(timer.count()).isGreaterThanOrEqualTo(1);
                assertThat(timer.getId().getTag("outcome")).isNotBlank();
            });
        });
    }

    @Test
    void countsCompensationsByWorkflowActionAndOutcome() {
        contextRunner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);

            SagaView view = context.getBean(SagaCoordinator.class).start("doomedTrip", "Oslo").await(WAIT);

            assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
            await().atMost(WAIT).untilAsserted(() -> {
                Counter compensations = registry.find("agent.saga.compensations")
                        .tags("workflow", "doomedTrip", "action", "bookFlight")
                        .counter();
                assertThat(count(compensations)).isEqualTo(1);
                assertThat(compensations.getId().getTag("outcome")).isNotBlank();
            });
        });
    }

    @Test
    void countsRetriesByWorkflowAndAction() {
        contextRunner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);

            SagaView view = context.getBean(SagaCoordinator.class).start("flakyTrip", "Oslo").await(WAIT);

            assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
            await().atMost(WAIT).untilAsserted(() -> assertThat(count(registry.find("agent.saga.retries")
                    .tags("workflow", "flakyTrip", "action", "flakyFlight")
                    .counter())).isEqualTo(1));
        });
    }

    @Test
    void countsSagasRecoveredFromAnotherEngine() {
        String sagaId = UUID.randomUUID().toString();
        Timestamp past = Timestamp.from(Instant.now().minusSeconds(60));
        schema.jdbc().update("INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, input, owner, "
                + "lease_epoch, lease_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sagaId,
                "orphanTrip", "1", "RUNNING", "\"Oslo\"", "a-crashed-node", 1, past, past, past);

        contextRunner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            SagaCoordinator coordinator = context.getBean(SagaCoordinator.class);

            await().atMost(WAIT).until(() -> coordinator.find(sagaId).map(SagaView::status).orElseThrow(),
                    status -> status == SagaStatus.COMPLETED);

            await().atMost(WAIT).untilAsserted(() -> assertThat(
                    count(registry.find("agent.saga.recoveries").tag("workflow", "orphanTrip").counter())).isEqualTo(1));
        });
    }

    @Test
    void observesEachStep() {
        contextRunner.run(context -> {
            StoppedObservations observations = context.getBean(StoppedObservations.class);

            context.getBean(SagaCoordinator.class).start("bookTrip", "Paris").await(WAIT);

            await().atMost(WAIT).untilAsserted(() -> assertThat(observations.names).contains("agent.saga.step"));
        });
    }

    @Test
    void runsWithoutAMeterRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        AgentSagaAutoConfiguration.class, AgentSagaMetricsAutoConfiguration.class))
                .withUserConfiguration(WorkflowConfiguration.class)
                .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4")
                .run(context -> {

                    SagaView view = context.getBean(SagaCoordinator.class).start("bookTrip", "Lima").await(WAIT);

                    assertThat(context).doesNotHaveBean(MeterRegistry.class);
                    assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
                });
    }

    private static double count(Counter counter) {
        assertThat(counter).as("counter").isNotNull();
        return counter.count();
    }

    static class BookFlight implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            return "flight to " + input;
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }

    /** Finds no hotel anywhere. */
    static class NoHotel implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            throw new IllegalStateException("no hotel in " + input);
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }

    /** Fails its first attempt per saga. */
    static class FlakyFlight implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("timeout talking to the airline");
            }
            return "flight to " + input;
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }

    static class OneStep implements AgentWorkflow<String, String> {

        private final SagaAction<String, String> action;

        OneStep(SagaAction<String, String> action) {
            this.action = action;
        }

        @Override
        public String run(String input, Saga saga) {
            return saga.step(action, input);
        }
    }

    static class TwoSteps implements AgentWorkflow<String, String> {

        private final SagaAction<String, String> first;

        private final SagaAction<String, String> second;

        TwoSteps(SagaAction<String, String> first, SagaAction<String, String> second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public String run(String input, Saga saga) {
            saga.step(first, input);
            return saga.step(second, input);
        }
    }

    /** The names of the observations that were stopped. */
    static class StoppedObservations implements ObservationHandler<Observation.Context> {

        final List<String> names = new CopyOnWriteArrayList<>();

        @Override
        public void onStop(Observation.Context context) {
            names.add(context.getName());
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class WorkflowConfiguration {

        @Bean
        BookFlight bookFlight() {
            return new BookFlight();
        }

        @Bean
        NoHotel noHotel() {
            return new NoHotel();
        }

        @Bean
        FlakyFlight flakyFlight() {
            return new FlakyFlight();
        }

        @Bean
        OneStep bookTrip(BookFlight bookFlight) {
            return new OneStep(bookFlight);
        }

        @Bean
        OneStep orphanTrip(BookFlight bookFlight) {
            return new OneStep(bookFlight);
        }

        @Bean
        OneStep flakyTrip(FlakyFlight flakyFlight) {
            return new OneStep(flakyFlight);
        }

        @Bean
        TwoSteps doomedTrip(BookFlight bookFlight, NoHotel noHotel) {
            return new TwoSteps(bookFlight, noHotel);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class MetricsConfiguration extends WorkflowConfiguration {

        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        StoppedObservations stoppedObservations() {
            return new StoppedObservations();
        }

        @Bean
        ObservationRegistry observationRegistry(StoppedObservations stoppedObservations) {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(stoppedObservations);
            return registry;
        }
    }
}
