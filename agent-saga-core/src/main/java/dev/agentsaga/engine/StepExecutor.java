package dev.agentsaga.engine;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.spi.SagaClock;

/**
 * Runs one action (or compensation) attempt after attempt: retries with backoff and full jitter, each
 * attempt bounded by the policy's timeout, all with the same idempotency key.
 */
final class StepExecutor {

    private static final Logger log = LoggerFactory.getLogger(StepExecutor.class);

    /** One attempt of the work; {@code attempt} starts at 1. */
    @FunctionalInterface
    interface Attempt {
        @Nullable Object run(int attempt) throws Exception;
    }

    /** Told before each retry. */
    @FunctionalInterface
    interface RetryListener {

        RetryListener NONE = (attempt, failure) -> {
        };

        void retrying(int nextAttempt, Throwable failure);
    }

    /**
     * What the attempts came to.
     * @param ambiguous whether the last attempt's outcome is unknown (it timed out, or the action said so)
     */
    record Outcome(@Nullable Object value, @Nullable Throwable failure, int attempts, boolean ambiguous) {

        boolean succeeded() {
            return failure == null;
        }
    }

    private final ExecutorService attemptThreads;

    private final SagaClock clock;

    StepExecutor(ExecutorService attemptThreads, SagaClock clock) {
        this.attemptThreads = attemptThreads;
        this.clock = clock;
    }

    /**
     * Runs up to {@code maxAttempts} attempts (the policy's, or 1 for actions never retried).
     * An ambiguous outcome ends the attempts when {@code stopWhenAmbiguous}.
     * @throws Suspension when the worker thread is interrupted (the engine is shutting down)
     */
    Outcome run(Supplier<String> what, ActionPolicy policy, int maxAttempts, boolean stopWhenAmbiguous, Attempt work,
            RetryListener retries) {
        Throwable failure = null;
        boolean ambiguous = false;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                return new Outcome(once(policy, work, attempt), null, attempt, false);
            }
            catch (TimeoutException ex) {
                failure = new OutcomeUnknownException(what.get() + " timed out after " + policy.timeout().toMillis()
                        + " ms (attempt " + attempt + ")", null);
                ambiguous = true;
            }
            catch (Throwable ex) {
                rethrowIfFatal(ex);
                failure = ex;
                ambiguous = ex instanceof OutcomeUnknownException;
            }
            log.debug("{} failed on attempt {} of {}: {}", what.get(), attempt, maxAttempts, failure.toString());
            if (ambiguous && stopWhenAmbiguous) {
                return new Outcome(null, failure, attempt, true);
            }
            if (attempt < maxAttempts) {
                retries.retrying(attempt + 1, failure);
                pause(policy.backoffBefore(attempt + 1));
            }
        }
        return new Outcome(null, failure, maxAttempts, ambiguous);
    }

    private @Nullable Object once(ActionPolicy policy, Attempt work, int attempt) throws Exception {
        if (!policy.hasTimeout()) {
            return work.run(attempt);
        }
        Future<Object> future = attemptThreads.submit(() -> work.run(attempt));
        try {
            return clock.await(future, policy.timeout());
        }
        catch (TimeoutException ex) {
            future.cancel(true);
            throw ex;
        }
        catch (InterruptedException ex) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new Suspension("interrupted while a step ran");
        }
        catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw (Error) cause;
        }
    }

    private void pause(Duration backoff) {
        if (backoff.isZero()) {
            return;
        }
        try {
            clock.sleep(backoff);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new Suspension("interrupted during a retry backoff");
        }
    }

    private static void rethrowIfFatal(Throwable ex) {
        if (ex instanceof VirtualMachineError error) {
            throw error;
        }
        if (ex instanceof Suspension suspension) {
            throw suspension;
        }
    }
}
