package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.Mockito.mock;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.util.unit.DataSize;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.PayloadException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaName;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;

/**
 * {@link AgentSagaAutoConfiguration} on a real PostgreSQL: one condition per test. Tests share one schema
 * (empty at first: whichever context comes first applies the tables), so each test runs sagas of a
 * workflow name of its own.
 */
class AgentSagaAutoConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ScratchSchema schema;

    private static ScratchSchema schemaWithTables;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class))
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4");

    @BeforeAll
    static void createSchemas() {
        schema = ScratchSchema.empty();
        schemaWithTables = ScratchSchema.withTables();
    }

    @AfterAll
    static void dropSchemas() {
        schema.close();
        schemaWithTables.close();
    }

    @Test
    void createsAnEngineThatIsAlsoTheCoordinator() {
        contextRunner.run(context -> {
            assertThat(context).hasSingleBean(SagaEngine.class).hasSingleBean(SagaCoordinator.class).hasBean("sagaEngine");
            assertThat(context.getBean(SagaCoordinator.class)).isSameAs(context.getBean("sagaEngine"));
        });
    }

    @Test
    void startsTheEngineWithTheContext() {
        contextRunner.run(context -> {

            SagaEngine engine = context.getBean(SagaEngine.class);

            assertThat(engine.isRunning()).isTrue();
            assertThat(engine.nodeId()).isNotBlank();
        });
    }

    @Test
    void keepsTheEngineRunningWhenTheContextIsPausedAndRestarted() {
        contextRunner.run(context -> {
            ConfigurableApplicationContext application = (ConfigurableApplicationContext) context
                    .getSourceApplicationContext();
            SagaEngine engine = context.getBean(SagaEngine.class);

            application.pause();
            boolean runningWhilePaused = engine.isRunning();
            application.restart();

            assertThat(runningWhilePaused).as("while the context is paused, as Spring's test cache does").isTrue();
            assertThat(engine.isRunning()).isTrue();
        });
    }

    @Test
    void shutsTheEngineDownWhenTheContextCloses() {
        AtomicReference<SagaEngine> engine = new AtomicReference<>();

        contextRunner.run(context -> engine.set(context.getBean(SagaEngine.class)));

        assertThat(engine.get()).isNotNull();
        assertThat(engine.get().isRunning()).isFalse();
    }

    @Test
    void bindsTheDocumentedDefaults() {
        contextRunner.run(context -> {

            AgentSagaProperties properties = context.getBean(AgentSagaProperties.class);

            assertThat(properties)
                    .extracting("enabled", "tablePrefix", "schema.initialize", "workerThreads", "pollInterval",
                            "leaseDuration", "shutdownGrace", "maxPayloadSize")
                    .containsExactly(true, "agent_saga_", true, 8, Duration.ofMillis(500), Duration.ofSeconds(30),
                            Duration.ofSeconds(10), DataSize.ofMegabytes(1));
            assertThat(properties)
                    .extracting("policy.maxAttempts", "policy.initialBackoff", "policy.maxBackoff", "policy.multiplier",
                            "policy.timeout")
                    .containsExactly(3, Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, Duration.ZERO);
            assertThat(properties).extracting("llm.driftPolicy").asString().isEqualToIgnoringCase("fail");
            assertThat(properties).extracting("endpoint.redact").asString()
                    .contains("password", "secret", "token", "apiKey", "authorization");
        });
    }

    @Test
    void isSwitchedOffByProperty() {
        contextRunner.withPropertyValues("agent.saga.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(SagaCoordinator.class).doesNotHaveBean(AgentSagaSchemaInitializer.class);
        });
    }

    @Test
    void backsOffWithoutADataSource() {
        contextRunner.withClassLoader(new FilteredClassLoader(EmbeddedDatabaseType.class)).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(DataSource.class);
            assertThat(context).doesNotHaveBean(SagaCoordinator.class);
        });
    }

    @Test
    void backsOffWhenTheApplicationDefinesACoordinator() {
        contextRunner.withUserConfiguration(UserCoordinatorConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(SagaCoordinator.class).hasBean("userCoordinator");
            assertThat(context).doesNotHaveBean(SagaEngine.class);
        });
    }

    @Test
    void createsTheTablesInAnScratchSchema() {
        try (ScratchSchema empty = ScratchSchema.empty()) {

            contextRunner.withPropertyValues(empty.datasourceUrlProperty()).run(context -> {

                assertThat(context).hasSingleBean(AgentSagaSchemaInitializer.class);
                assertThat(context.getBean(SagaEngine.class).isRunning()).isTrue();
                assertThat(empty.tables()).contains("agent_saga_instance", "agent_saga_step", "agent_saga_signal");
            });
        }
    }

    @Test
    void leavesTheSchemaAloneWithoutLiquibase() {
        contextRunner.withClassLoader(new FilteredClassLoader("liquibase."))
                .withPropertyValues(schemaWithTables.datasourceUrlProperty())
                .run(context -> {
                    assertThat(context).doesNotHaveBean(AgentSagaSchemaInitializer.class);
                    assertThat(context).hasSingleBean(SagaEngine.class);
                    assertThat(context.getBean(SagaEngine.class).isRunning()).isTrue();
                });
    }

    @Test
    void leavesTheSchemaAloneWhenInitializationIsSwitchedOff() {
        contextRunner.withPropertyValues("agent.saga.schema.initialize=false",
                schemaWithTables.datasourceUrlProperty()).run(context -> {
                    assertThat(context).doesNotHaveBean(AgentSagaSchemaInitializer.class);
                    assertThat(context).hasSingleBean(SagaEngine.class);
                });
    }

    @Test
    void registersActionsAndWorkflowsUnderTheirBeanNames() {
        contextRunner.withUserConfiguration(BeanNamedConfiguration.class).run(context -> {

            SagaView view = context.getBean(SagaCoordinator.class).start("tripPlanner", "Oslo").await(WAIT);

            assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(view.workflow()).isEqualTo("tripPlanner");
            assertThat(view.steps()).extracting("name").containsExactly("flightBooking");
        });
    }

    @Test
    void registersActionsAndWorkflowsUnderTheirSagaNameAnnotation() {
        contextRunner.withUserConfiguration(AnnotatedConfiguration.class).run(context -> {

            SagaView view = context.getBean(SagaCoordinator.class).start("hotelTrip", "Oslo").await(WAIT);

            assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(view.steps()).extracting("name").containsExactly("hotelBooking");
        });
    }

    @Test
    void registersActionsAndWorkflowsUnderTheNameTheyDeclare() {
        contextRunner.withUserConfiguration(SelfNamedConfiguration.class).run(context -> {

            SagaView view = context.getBean(SagaCoordinator.class).start("carTrip", "Oslo").await(WAIT);

            assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(view.steps()).extracting("name").containsExactly("carRental");
        });
    }

    @Test
    void failsToStartWhenTwoActionsShareAName() {
        contextRunner.withUserConfiguration(DuplicateActionsConfiguration.class).run(context -> {
            assertThat(context).hasFailed();

            Throwable failure = context.getStartupFailure();
            FailureAnalysis analysis = new DuplicateSagaNameFailureAnalyzer().analyze(failure);

            assertThat(causes(failure)).anyMatch(DuplicateSagaNameException.class::isInstance);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("paymentRefund", "legacyRefunds", "refund");
            assertThat(analysis.getAction()).contains("@SagaName", "name()");
        });
    }

    @Test
    void failsToStartWhenTwoWorkflowsShareAName() {
        contextRunner.withUserConfiguration(DuplicateWorkflowsConfiguration.class).run(context -> {
            assertThat(context).hasFailed();

            Throwable failure = context.getStartupFailure();
            FailureAnalysis analysis = new DuplicateSagaNameFailureAnalyzer().analyze(failure);

            assertThat(causes(failure)).anyMatch(DuplicateSagaNameException.class::isInstance);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("checkoutFlow", "newCheckoutFlow", "purchase");
        });
    }

    @Test
    void appliesTheCustomizersInTheirOrder() {
        contextRunner.withUserConfiguration(CustomizerConfiguration.class).run(context -> {

            CustomizerCalls calls = context.getBean(CustomizerCalls.class);

            assertThat(calls.names).containsExactly("first", "second");
        });
    }

    @Test
    void letsCustomizersConfigureTheEngine() {
        contextRunner.withBean(SagaEngineCustomizer.class, () -> builder -> builder.nodeId("customized-node"))
                .run(context -> {

                    SagaEngine engine = context.getBean(SagaEngine.class);

                    assertThat(engine.nodeId()).isEqualTo("customized-node");
                });
    }

    @Test
    void journalsToTheAgentSagaDataSourceInsteadOfThePrimaryOne() {
        try (ScratchSchema appSchema = ScratchSchema.empty(); ScratchSchema sagaSchema = ScratchSchema.empty()) {
            TwoDataSourcesConfiguration.appUrl = appSchema.jdbcUrl();
            TwoDataSourcesConfiguration.sagaUrl = sagaSchema.jdbcUrl();

            contextRunner.withUserConfiguration(TwoDataSourcesConfiguration.class).run(context -> {

                SagaView view = context.getBean(SagaCoordinator.class).start("ledgerTrip", "Oslo").await(WAIT);

                assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
                assertThat(sagaSchema.sagaRows("agent_saga_instance", view.id())).isEqualTo(1);
                assertThat(appSchema.tables()).noneMatch(table -> table.startsWith("agent_saga_"));
            });
        }
    }

    @Test
    void journalsToTablesWithTheConfiguredPrefix() {
        try (ScratchSchema empty = ScratchSchema.empty()) {

            contextRunner.withUserConfiguration(PrefixConfiguration.class)
                    .withPropertyValues(empty.datasourceUrlProperty(), "agent.saga.table-prefix=custom_saga_")
                    .run(context -> {

                        SagaView view = context.getBean(SagaCoordinator.class).start("prefixTrip", "Oslo").await(WAIT);

                        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
                        assertThat(empty.sagaRows("custom_saga_instance", view.id())).isEqualTo(1);
                        assertThat(empty.tables()).doesNotContain("agent_saga_instance");
                    });
        }
    }

    @Test
    void claimsSagasUnderTheConfiguredNodeId() {
        contextRunner.withPropertyValues("agent.saga.node-id=node-a").run(context -> {

            SagaEngine engine = context.getBean(SagaEngine.class);

            assertThat(engine.nodeId()).isEqualTo("node-a");
        });
    }

    @Test
    void runsAsManySagasAtOnceAsThereAreWorkerThreads() {
        contextRunner.withUserConfiguration(ConcurrencyConfiguration.class)
                .withPropertyValues("agent.saga.worker-threads=1", "agent.saga.poll-interval=50ms")
                .run(context -> {
                    SagaCoordinator coordinator = context.getBean(SagaCoordinator.class);

                    List<String> ids = Stream.of("a", "b", "c")
                            .map(input -> coordinator.start("concurrencyTrip", input).id())
                            .toList();
                    List<SagaView> views = ids.stream()
                            .map(id -> awaitStatus(coordinator, id, SagaStatus.COMPLETED))
                            .toList();

                    assertThat(views).extracting(SagaView::status).containsOnly(SagaStatus.COMPLETED);
                    assertThat(context.getBean(SlowAction.class).maxConcurrent.get()).isEqualTo(1);
                });
    }

    @Test
    void givesActionsWithoutAPolicyOfTheirOwnTheConfiguredPolicy() {
        contextRunner.withUserConfiguration(FailingConfiguration.class)
                .withPropertyValues("agent.saga.policy.max-attempts=1")
                .run(context -> {

                    SagaView view = context.getBean(SagaCoordinator.class).start("failingTrip", "Oslo").await(WAIT);

                    assertThat(view.status()).isEqualTo(SagaStatus.FAILED);
                    assertThat(view.steps()).singleElement().satisfies(step -> assertThat(step.attempts()).isEqualTo(1));
                });
    }

    @Test
    void rejectsInputsOverTheConfiguredPayloadSize() {
        contextRunner.withUserConfiguration(PayloadConfiguration.class)
                .withPropertyValues("agent.saga.max-payload-size=64B")
                .run(context -> {
                    SagaCoordinator coordinator = context.getBean(SagaCoordinator.class);

                    assertThatExceptionOfType(PayloadException.class)
                            .isThrownBy(() -> coordinator.start("payloadTrip", "x".repeat(200)));
                });
    }

    private static Stream<Throwable> causes(Throwable failure) {
        return Stream.iterate(failure, Objects::nonNull, Throwable::getCause);
    }

    private static SagaView awaitStatus(SagaCoordinator coordinator, String sagaId, SagaStatus expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        SagaView last = null;
        while (System.nanoTime() < deadline) {
            last = coordinator.find(sagaId).orElse(null);
            if (last != null && last.status() == expected) {
                return last;
            }
            try {
                Thread.sleep(25);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("saga " + sagaId + " did not reach " + expected + "; it is "
                + (last == null ? "absent" : last.status()));
    }

    /** A COMPENSABLE action that returns its input. */
    static class EchoAction implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            return input;
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }

    /** A workflow of one step. */
    static class EchoWorkflow implements AgentWorkflow<String, String> {

        private final SagaAction<String, String> action;

        EchoWorkflow(SagaAction<String, String> action) {
            this.action = action;
        }

        @Override
        public String run(String input, Saga saga) {
            return saga.step(action, input);
        }
    }

    @SagaName("hotelBooking")
    static class AnnotatedAction extends EchoAction {
    }

    @SagaName("hotelTrip")
    static class AnnotatedWorkflow extends EchoWorkflow {

        AnnotatedWorkflow(SagaAction<String, String> action) {
            super(action);
        }
    }

    static class SelfNamedAction extends EchoAction {

        @Override
        public String name() {
            return "carRental";
        }
    }

    static class SelfNamedWorkflow extends EchoWorkflow {

        SelfNamedWorkflow(SagaAction<String, String> action) {
            super(action);
        }

        @Override
        public String name() {
            return "carTrip";
        }
    }

    static class RefundAction extends EchoAction {

        @Override
        public String name() {
            return "refund";
        }
    }

    @SagaName("refund")
    static class LegacyRefundAction extends EchoAction {
    }

    static class CheckoutWorkflow extends EchoWorkflow {

        CheckoutWorkflow(SagaAction<String, String> action) {
            super(action);
        }

        @Override
        public String name() {
            return "purchase";
        }
    }

    @SagaName("purchase")
    static class NewCheckoutWorkflow extends EchoWorkflow {

        NewCheckoutWorkflow(SagaAction<String, String> action) {
            super(action);
        }
    }

    /** Sleeps a little and records how many executions overlapped. */
    static class SlowAction implements SagaAction<String, String> {

        final AtomicInteger running = new AtomicInteger();

        final AtomicInteger maxConcurrent = new AtomicInteger();

        @Override
        public String execute(String input, ActionContext ctx) throws InterruptedException {
            maxConcurrent.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(150);
                return input;
            }
            finally {
                running.decrementAndGet();
            }
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }

    static class AlwaysFailingAction implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            throw new IllegalStateException("the downstream is down");
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }

    static class CustomizerCalls {

        final List<String> names = new CopyOnWriteArrayList<>();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserCoordinatorConfiguration {

        @Bean
        SagaCoordinator userCoordinator() {
            return mock(SagaCoordinator.class);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BeanNamedConfiguration {

        @Bean
        EchoAction flightBooking() {
            return new EchoAction();
        }

        @Bean
        EchoWorkflow tripPlanner(EchoAction flightBooking) {
            return new EchoWorkflow(flightBooking);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AnnotatedConfiguration {

        @Bean
        AnnotatedAction someAction() {
            return new AnnotatedAction();
        }

        @Bean
        AnnotatedWorkflow someWorkflow(AnnotatedAction someAction) {
            return new AnnotatedWorkflow(someAction);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SelfNamedConfiguration {

        @Bean
        SelfNamedAction someAction() {
            return new SelfNamedAction();
        }

        @Bean
        SelfNamedWorkflow someWorkflow(SelfNamedAction someAction) {
            return new SelfNamedWorkflow(someAction);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DuplicateActionsConfiguration {

        @Bean
        RefundAction paymentRefund() {
            return new RefundAction();
        }

        @Bean
        LegacyRefundAction legacyRefunds() {
            return new LegacyRefundAction();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DuplicateWorkflowsConfiguration {

        @Bean
        EchoAction pay() {
            return new EchoAction();
        }

        @Bean
        CheckoutWorkflow checkoutFlow(EchoAction pay) {
            return new CheckoutWorkflow(pay);
        }

        @Bean
        NewCheckoutWorkflow newCheckoutFlow(EchoAction pay) {
            return new NewCheckoutWorkflow(pay);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerConfiguration {

        @Bean
        CustomizerCalls customizerCalls() {
            return new CustomizerCalls();
        }

        @Bean
        @Order(2)
        SagaEngineCustomizer secondCustomizer(CustomizerCalls calls) {
            return builder -> calls.names.add("second");
        }

        @Bean
        @Order(1)
        SagaEngineCustomizer firstCustomizer(CustomizerCalls calls) {
            return builder -> calls.names.add("first");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoDataSourcesConfiguration {

        static String appUrl;

        static String sagaUrl;

        @Bean
        @Primary
        DataSource appDataSource() {
            return new DriverManagerDataSource(appUrl);
        }

        @Bean
        @AgentSagaDataSource
        DataSource sagaDataSource() {
            return new DriverManagerDataSource(sagaUrl);
        }

        @Bean
        EchoAction ledgerEntry() {
            return new EchoAction();
        }

        @Bean
        EchoWorkflow ledgerTrip(EchoAction ledgerEntry) {
            return new EchoWorkflow(ledgerEntry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PrefixConfiguration {

        @Bean
        EchoAction prefixStep() {
            return new EchoAction();
        }

        @Bean
        EchoWorkflow prefixTrip(EchoAction prefixStep) {
            return new EchoWorkflow(prefixStep);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ConcurrencyConfiguration {

        @Bean
        SlowAction slowStep() {
            return new SlowAction();
        }

        @Bean
        EchoWorkflow concurrencyTrip(SlowAction slowStep) {
            return new EchoWorkflow(slowStep);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FailingConfiguration {

        @Bean
        AlwaysFailingAction failingStep() {
            return new AlwaysFailingAction();
        }

        @Bean
        EchoWorkflow failingTrip(AlwaysFailingAction failingStep) {
            return new EchoWorkflow(failingStep);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PayloadConfiguration {

        @Bean
        EchoAction payloadStep() {
            return new EchoAction();
        }

        @Bean
        EchoWorkflow payloadTrip(EchoAction payloadStep) {
            return new EchoWorkflow(payloadStep);
        }
    }
}
