package dev.agentsaga.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.StepKind;
import dev.agentsaga.spi.SagaObserver.StepEvent;
import dev.agentsaga.spi.SagaObserver.TokenUse;

/** The token counter keeps tokens spent, saved by a recovery and replayed after a wait apart. */
class MicrometerSagaObserverTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final MicrometerSagaObserver observer = new MicrometerSagaObserver(meters, ObservationRegistry.NOOP);

    private final StepEvent modelCall = new StepEvent("s1", "trip", 1, "model", StepKind.LLM, null);

    @Test
    void countsTokensBySourceAndDirection() {
        observer.modelTokens(modelCall, 100, 10, TokenUse.SPENT);
        observer.modelTokens(modelCall, 100, 10, TokenUse.SAVED);
        observer.modelTokens(modelCall, 100, 10, TokenUse.REPLAYED);
        observer.modelTokens(modelCall, 100, 10, TokenUse.REPLAYED);

        assertThat(tokens("spent", "input")).isEqualTo(100);
        assertThat(tokens("saved", "input")).isEqualTo(100);
        assertThat(tokens("saved", "output")).isEqualTo(10);
        assertThat(tokens("replayed", "input")).isEqualTo(200);
    }

    private double tokens(String source, String direction) {
        return meters.get("agent.saga.llm.tokens").tag("workflow", "trip").tag("source", source)
                .tag("direction", direction).counter().count();
    }
}
