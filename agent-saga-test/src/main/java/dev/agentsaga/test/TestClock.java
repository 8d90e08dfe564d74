package dev.agentsaga.test;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import dev.agentsaga.spi.SagaClock;

/**
 * The time of a test's engines, moved by the test: the system's time plus an offset that only grows.
 * Durable sleeps and signal deadlines fall due when the clock is moved past them; a retry's backoff moves
 * the clock by its pause and returns at once; a step attempt times out when the clock passes its
 * time-out. Between moves the clock follows the system's, so timestamps stay ordered.
 */
public final class TestClock implements SagaClock {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    @Override
    public Instant now() {
        return Instant.now().plus(offset.get());
    }

    /** Moves the clock forward by {@code duration}. */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration must not be null");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a test clock moves forward only, not by " + duration);
        }
        offset.updateAndGet(current -> current.plus(duration));
    }

    /** Moves the clock forward to {@code instant}, if it is not there yet. */
    public void advanceTo(Instant instant) {
        Duration ahead = Duration.between(now(), instant);
        if (!ahead.isNegative()) {
            advance(ahead);
        }
    }

    /** How far the clock has been moved ahead of the system's time. */
    public Duration offset() {
        return offset.get();
    }

    /** Moves the clock by the pause and returns at once. */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (!duration.isNegative()) {
            advance(duration);
        }
    }

    /** Waits until the attempt ends, or until this clock has passed the time-out (moved by the test, or by time passing). */
    @Override
    public <T> T await(Future<T> attempt, Duration timeout) throws InterruptedException, ExecutionException,
            TimeoutException {
        Instant deadline = now().plus(timeout);
        while (true) {
            try {
                return attempt.get(2, TimeUnit.MILLISECONDS);
            }
            catch (TimeoutException notYet) {
                if (!now().isBefore(deadline)) {
                    throw new TimeoutException("the test clock passed the attempt's time-out of " + timeout);
                }
            }
        }
    }
}
