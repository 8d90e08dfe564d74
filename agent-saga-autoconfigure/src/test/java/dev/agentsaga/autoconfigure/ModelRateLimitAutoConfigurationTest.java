package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.autoconfigure.actuate.MicrometerSagaObserver;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.SagaObserver;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;

/**
 * {@code agent.saga.llm.rate-limits.<model>.*}: bound by model name (dots in brackets) and applied to the engine,
 * whose model calls over the limit wait; a throttled call is timed by {@code agent.saga.llm.throttled}.
 */
class ModelRateLimitAutoConfigurationTest {

    private static ScratchSchema schema;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class))
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4",
                    "agent.saga.llm.rate-limits.[gpt-4.1].requests-per-minute=1",
                    "agent.saga.llm.rate-limits.[gpt-4.1].tokens-per-minute=50000",
                    "agent.saga.llm.rate-limits.small.tokens-per-minute=1000");

    @BeforeAll
    static void createSchema() {
        schema = ScratchSchema.empty();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void bindsTheLimitsByModelName() {
        contextRunner.run(context -> {

            Map<String, AgentSagaProperties.RateLimit> limits = context.getBean(AgentSagaProperties.class).getLlm()
                    .getRateLimits();

            assertThat(limits).containsOnlyKeys("gpt-4.1", "small");
            assertThat(limits.get("gpt-4.1")).extracting("requestsPerMinute", "tokensPerMinute")
                    .containsExactly(1, 50_000L);
            assertThat(limits.get("small")).extracting("requestsPerMinute", "tokensPerMinute")
                    .containsExactly(0, 1_000L);
        });
    }

    @Test
    void appliesTheLimitsToTheEngine() {
        contextRunner.withUserConfiguration(TwoCallsConfiguration.class).run(context -> {
            SagaEngine engine = context.getBean(SagaEngine.class);

            String id = engine.start("twoCalls", "gpt-4.1").id();
            SagaView view = awaitWaiting(engine, id);

            assertThat(view.steps()).extracting(step -> step.kind() + " " + step.status())
                    .containsExactly(StepKind.LLM + " " + StepStatus.SUCCEEDED, StepKind.LLM + " " + StepStatus.STARTED);
            assertThat(view.steps().get(1).compensationNote())
                    .startsWith("throttled: gpt-4.1 is at its limit of 1 requests per minute / 50000 tokens per minute");
        });
    }

    @Test
    void timesThrottledCallsByKey() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        SagaObserver observer = new MicrometerSagaObserver(meters, ObservationRegistry.NOOP);

        observer.modelCallThrottled(new SagaObserver.StepEvent("s", "agent", 2, "model", StepKind.LLM, null), "gpt-4.1",
                Duration.ofSeconds(40));

        Timer timer = meters.get("agent.saga.llm.throttled").tag("key", "gpt-4.1").tag("workflow", "agent").timer();
        assertThat(timer.count()).isOne();
        assertThat(timer.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(40.0);
    }

    private static SagaView awaitWaiting(SagaEngine engine, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        SagaView view = engine.find(id).orElseThrow();
        while (view.status() != SagaStatus.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(25);
            view = engine.find(id).orElseThrow();
        }
        assertThat(view.status()).isEqualTo(SagaStatus.WAITING);
        return view;
    }

    /** A call to the model its input names, answered at once. */
    record Call(String model) implements JournaledCall<String> {

        @Override
        public String name() {
            return "model";
        }

        @Override
        public StepKind kind() {
            return StepKind.LLM;
        }

        @Override
        public Class<String> type() {
            return String.class;
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("model", model);
        }

        @Override
        public String execute() {
            return "answer";
        }

        @Override
        public int[] tokens(String result) {
            return new int[] { 10, 5 };
        }

        @Override
        public String rateKey() {
            return model;
        }
    }

    /** Calls the model its input names twice. */
    static final class TwoCalls implements AgentWorkflow<String, String> {
        @Override
        public String run(String model, Saga saga) {
            saga.journal(new Call(model));
            return saga.journal(new Call(model));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoCallsConfiguration {

        @Bean
        TwoCalls twoCalls() {
            return new TwoCalls();
        }
    }
}
