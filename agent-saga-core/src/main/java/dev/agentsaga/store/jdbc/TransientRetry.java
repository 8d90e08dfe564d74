package dev.agentsaga.store.jdbc;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SagaStoreUnavailableException;

/**
 * The one place where the store retries: SQL errors that pass (a lost connection, a database
 * restarting, a deadlock, a serialization failure, too many connections) are retried with jittered
 * exponential backoff for a bounded time; what is still failing then becomes a
 * {@link SagaStoreUnavailableException}, anything else at once a {@link SagaStoreException}. Retrying is
 * safe because every write is either idempotent or refused on the second try (a journal entry's key, a
 * lease's epoch) without harm.
 */
final class TransientRetry {

    private static final Logger log = LoggerFactory.getLogger(TransientRetry.class);

    private final int maxAttempts;

    private final Duration initialBackoff;

    private final Duration maxBackoff;

    TransientRetry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Eight attempts over about ten seconds at most: long enough for a database restart or a failover. */
    static TransientRetry defaults() {
        return new TransientRetry(8, Duration.ofMillis(50), Duration.ofSeconds(3));
    }

    <T> T call(Supplier<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return work.get();
            }
            catch (DataAccessException ex) {
                if (!isTransient(ex)) {
                    throw new SagaStoreException("The agent-saga journal could not be read or written: "
                            + ex.getMostSpecificCause().getMessage(), null, null, ex);
                }
                if (attempt >= maxAttempts) {
                    throw new SagaStoreUnavailableException("The agent-saga journal could not be read or written "
                            + "after " + attempt + " attempts: " + ex.getMostSpecificCause().getMessage(), ex);
                }
                log.debug("Transient database error (attempt {} of {}), retrying: {}", attempt, maxAttempts,
                        ex.getMostSpecificCause().toString());
                pause(attempt);
            }
        }
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08 connection, 40 rollback (deadlock, serialization), 53 insufficient resources,
                // 57 operator intervention (admin shutdown, crash shutdown, cannot connect now)
                if (state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                        || state.startsWith("57")) {
                    return true;
                }
            }
        }
        return false;
    }

    private void pause(int attempt) {
        long bound = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(attempt - 1, 20));
        try {
            Thread.sleep(bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SagaStoreException("Interrupted while waiting to retry a database call", null);
        }
    }
}
