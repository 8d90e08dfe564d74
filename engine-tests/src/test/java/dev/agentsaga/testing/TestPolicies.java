package dev.agentsaga.testing;

import java.time.Duration;

import dev.agentsaga.ActionPolicy;

/** Action policies that keep tests fast. */
public final class TestPolicies {

    private TestPolicies() {
    }

    /** The default three attempts, with backoffs of at most 20 ms. */
    public static ActionPolicy fast() {
        return ActionPolicy.defaults().withBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0);
    }

    /** {@code attempts} attempts with backoffs of at most 20 ms. */
    public static ActionPolicy fast(int attempts) {
        return fast().withMaxAttempts(attempts);
    }
}
