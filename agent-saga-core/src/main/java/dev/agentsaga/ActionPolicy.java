package dev.agentsaga;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently the engine runs an action: attempts, exponential backoff with full
 * jitter between them, and a timeout per attempt ({@link Duration#ZERO} means none).
 *
 * @param maxAttempts attempts in all, at least 1; IRREVERSIBLE actions always get exactly one
 * @param initialBackoff the upper bound of the first pause between attempts
 * @param maxBackoff the cap on any pause
 * @param multiplier how the bound grows from one pause to the next, at least 1
 * @param timeout the longest one attempt may take before it is interrupted, or zero for no limit
 */
public record ActionPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
        Duration timeout) {

    private static final ActionPolicy DEFAULTS =
            new ActionPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, Duration.ZERO);

    public ActionPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff must not be null");
        Objects.requireNonNull(maxBackoff, "maxBackoff must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || timeout.isNegative()) {
            throw new IllegalArgumentException("backoff and timeout must not be negative");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be at least 1.0, was " + multiplier);
        }
    }

    /** Three attempts, 200 ms initial backoff doubling up to 10 s, no timeout. */
    public static ActionPolicy defaults() {
        return DEFAULTS;
    }

    /** Exactly one attempt. */
    public static ActionPolicy noRetries() {
        return DEFAULTS.withMaxAttempts(1);
    }

    public ActionPolicy withMaxAttempts(int maxAttempts) {
        return new ActionPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, timeout);
    }

    public ActionPolicy withBackoff(Duration initialBackoff, Duration maxBackoff, double multiplier) {
        return new ActionPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, timeout);
    }

    public ActionPolicy withTimeout(Duration timeout) {
        return new ActionPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, timeout);
    }

    /** Whether attempts are bounded in time. */
    public boolean hasTimeout() {
        return !timeout.isZero();
    }

    /**
     * The pause before attempt {@code nextAttempt} (2 or more): a random duration between zero and
     * {@code min(maxBackoff, initialBackoff * multiplier^(nextAttempt - 2))} ("full jitter").
     */
    public Duration backoffBefore(int nextAttempt) {
        double bound = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, nextAttempt - 2));
        long capped = (long) Math.min(bound, (double) maxBackoff.toNanos());
        return capped <= 0 ? Duration.ZERO : Duration.ofNanos(ThreadLocalRandom.current().nextLong(capped + 1));
    }
}
