package dev.agentsaga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The pauses a policy asks for between attempts: full jitter under an exponential, capped bound. */
class ActionPolicyTest {

    private static final int DRAWS = 2000;

    @Test
    void theBackoffBeforeEachAttemptIsDrawnFromZeroToItsExponentialBoundAndCoversTheRange() {
        ActionPolicy policy = ActionPolicy.defaults().withBackoff(Duration.ofMillis(100), Duration.ofMillis(700), 3.0);
        List<Duration> bounds = List.of(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(700),
                Duration.ofMillis(700));

        for (int attempt = 2; attempt <= 5; attempt++) {
            Duration bound = bounds.get(attempt - 2);
            int next = attempt;
            List<Duration> draws = IntStream.range(0, DRAWS).mapToObj(i -> policy.backoffBefore(next)).toList();

            assertThat(draws).as("pauses before attempt %d", attempt)
                    .allSatisfy(pause -> assertThat(pause).isBetween(Duration.ZERO, bound));
            assertThat(draws).as("some pause before attempt %d is near its bound", attempt)
                    .anySatisfy(pause -> assertThat(pause).isGreaterThan(bound.multipliedBy(9).dividedBy(10)));
            assertThat(draws).as("some pause before attempt %d is near zero", attempt)
                    .anySatisfy(pause -> assertThat(pause).isLessThan(bound.dividedBy(10)));
        }
    }
}
