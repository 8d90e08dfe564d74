package dev.agentsaga.spi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine's time: what time it is (timestamps, timers, signal deadlines, leases), and the waits an
 * engine makes on a saga's thread (the pause before a retry, a step attempt's time-out). The default
 * follows the system clock; a test kit supplies one it moves itself, so that a workflow that sleeps a
 * day, or an action that backs off for minutes, finishes at once.
 */
public interface SagaClock {

    /** The current instant. */
    Instant now();

    /**
     * Pauses the calling thread for the duration: the backoff before a retry.
     * @throws InterruptedException when the thread is interrupted (the engine is stopping)
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Waits for {@code attempt} to end, at most {@code timeout}: a step attempt's time-out.
     * @throws TimeoutException when the attempt did not end in time (it is then cancelled by the caller)
     * @throws ExecutionException when the attempt threw
     * @throws InterruptedException when the thread is interrupted (the engine is stopping)
     */
    <T> T await(Future<T> attempt, Duration timeout) throws InterruptedException, ExecutionException,
            TimeoutException;

    /** The system clock in UTC, waiting in real time. */
    static SagaClock system() {
        return of(Clock.systemUTC());
    }

    /** The instants of {@code clock}, waiting in real time. */
    static SagaClock of(Clock clock) {
        Objects.requireNonNull(clock, "clock must not be null");
        return new SagaClock() {

            @Override
            public Instant now() {
                return clock.instant();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                if (!duration.isZero() && !duration.isNegative()) {
                    Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
                }
            }

            @Override
            public <T> T await(Future<T> attempt, Duration timeout) throws InterruptedException, ExecutionException,
                    TimeoutException {
                return attempt.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        };
    }
}
