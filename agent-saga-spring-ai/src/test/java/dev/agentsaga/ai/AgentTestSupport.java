package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.ai.chat.prompt.Prompt;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.testing.EffectLedger.Effect;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.TestPolicies;

/**
 * The base of the agent tests: the engine test support (a PostgreSQL schema of the class, an effect
 * ledger, engines shut down after each test) plus a chat-completions stub and fresh trip tools per test.
 */
public abstract class AgentTestSupport extends EngineTestSupport {

    /** How long a test waits for a saga to rest. */
    protected static final Duration REST = Duration.ofSeconds(20);

    private static final AtomicBoolean warm = new AtomicBoolean();

    protected ChatCompletionsStub stub;

    protected TripTools tools;

    /**
     * The first call of the OpenAI client in a JVM loads its Kotlin reflection for seconds; pay it once
     * here, not inside a test's wait for a saga.
     */
    @BeforeAll
    static void warmUpTheOpenAiClient() {
        if (warm.compareAndSet(false, true)) {
            try (ChatCompletionsStub warmUp = ChatCompletionsStub.start()) {
                warmUp.script(Turn.answer("warm", 1, 1));
                warmUp.chatModel().call(new Prompt("warm up"));
            }
        }
    }

    @BeforeEach
    void startStub() {
        stub = ChatCompletionsStub.start();
        tools = new TripTools(ledger);
    }

    @AfterEach
    void stopStub() {
        if (stub != null) {
            stub.close();
        }
    }

    /** An engine builder on the test schema with fast retries (model calls are retried by this policy too). */
    protected AgentSaga.Builder fastEngine() {
        return engineBuilder().defaultPolicy(TestPolicies.fast());
    }

    /** {@link #fastEngine()} with every trip tool registered. */
    protected AgentSaga.Builder agentEngine() {
        AgentSaga.Builder builder = fastEngine();
        for (var tool : tools.all()) {
            builder.action(tool);
        }
        return builder;
    }

    /** Waits until the saga is in {@code expected}; fails at once when it rests in another status. */
    protected static SagaView awaitRest(SagaCoordinator engine, String sagaId, SagaStatus expected) {
        long deadline = System.nanoTime() + REST.toNanos();
        SagaView last = null;
        while (System.nanoTime() < deadline) {
            last = engine.find(sagaId).orElse(null);
            if (last != null && last.status() == expected) {
                return last;
            }
            if (last != null && last.status() != SagaStatus.RUNNING && last.status() != SagaStatus.PENDING
                    && last.status() != SagaStatus.COMPENSATING && last.status() != SagaStatus.WAITING) {
                break;
            }
            pause(Duration.ofMillis(25));
        }
        throw new AssertionError("saga " + sagaId + " did not reach " + expected + " within " + REST + "; it is "
                + (last == null ? "absent" : last.status() + " with error " + last.error() + "\nsteps: "
                        + describe(last)));
    }

    /** The steps as "seq kind name status" lines, for assertion messages. */
    protected static String describe(SagaView view) {
        StringBuilder text = new StringBuilder();
        for (StepView step : view.steps()) {
            text.append("\n  ").append(step.seq()).append(' ').append(step.kind()).append(' ').append(step.name())
                    .append(' ').append(step.status()).append(step.error() == null ? "" : " " + step.error());
        }
        return text.toString();
    }

    /** The steps of the given kind. */
    protected static List<StepView> steps(SagaView view, StepKind kind) {
        return view.steps().stream().filter(step -> step.kind() == kind).toList();
    }

    /** The ACTION steps named {@code name}. */
    protected static List<StepView> actionSteps(SagaView view, String name) {
        return view.steps().stream().filter(step -> step.kind() == StepKind.ACTION && step.name().equals(name))
                .toList();
    }

    /**
     * Every effect of the saga happened once (one request per key and kind) under the idempotency key
     * {@code sagaId:seq} of an ACTION step of the same name.
     */
    protected void assertEffectsOncePerKeyFromTheJournal(SagaView view) {
        for (Kind kind : Kind.values()) {
            for (Effect effect : ledger.effects(view.id(), kind)) {
                assertThat(effect.requests()).as("requests for the %s of %s under %s", kind, effect.action(),
                        effect.idempotencyKey()).isEqualTo(1);
                StepView step = step(view, effect.step());
                assertThat(step.kind()).as("kind of step %d", step.seq()).isEqualTo(StepKind.ACTION);
                assertThat(step.name()).as("name of step %d", step.seq()).isEqualTo(effect.action());
                assertThat(effect.idempotencyKey()).as("key of the %s of %s", kind, effect.action())
                        .isEqualTo(view.id() + ":" + step.seq())
                        .isEqualTo(step.idempotencyKey());
            }
        }
    }
}
