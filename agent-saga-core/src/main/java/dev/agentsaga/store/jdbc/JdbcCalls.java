package dev.agentsaga.store.jdbc;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SagaStoreUnavailableException;

/**
 * What the parts of {@link JdbcSagaStore} share: the JDBC template, transactions, and the one place
 * where the store retries. SQL errors that pass (a lost connection, a database restarting, a deadlock,
 * a serialization failure, a lock wait timeout, too many connections) are retried with jittered exponential backoff for a
 * bounded time; what is still failing then becomes a {@link SagaStoreUnavailableException}, anything
 * else at once a {@link SagaStoreException}. Retrying is safe because every write is either idempotent
 * or refused on the second try (a journal entry's key, a lease's epoch) without harm.
 */
final class JdbcCalls {

    private static final Logger log = LoggerFactory.getLogger(JdbcCalls.class);

    /** Eight attempts over about ten seconds at most: long enough for a database restart or a failover. */
    private static final int MAX_ATTEMPTS = 8;

    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(50);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(3);

    final NamedParameterJdbcTemplate jdbc;

    private final DataSourceTransactionManager transactionManager;

    private final TransactionTemplate transactions;

    JdbcCalls(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transactionManager = new DataSourceTransactionManager(dataSource);
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /** Runs {@code work}, retrying SQL errors that pass. */
    <T> T call(Supplier<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return work.get();
            }
            catch (DataAccessException | TransactionException ex) {
                // a TransactionException: a commit or rollback failed, e.g. on a connection the database dropped
                if (!isTransient(ex)) {
                    throw new SagaStoreException("The agent-saga journal could not be read or written: "
                            + ex.getMostSpecificCause().getMessage(), null, null, ex);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new SagaStoreUnavailableException("The agent-saga journal could not be read or written "
                            + "after " + attempt + " attempts: " + ex.getMostSpecificCause().getMessage(), ex);
                }
                log.debug("Transient database error (attempt {} of {}), retrying: {}", attempt, MAX_ATTEMPTS,
                        ex.getMostSpecificCause().toString());
                pause(attempt);
            }
        }
    }

    /** Runs {@code work} in one transaction, the whole transaction retried on SQL errors that pass. */
    <T> T inTransaction(Supplier<T> work) {
        return call(() -> transactions.execute(status -> work.get()));
    }

    /**
     * Runs {@code work} in one transaction at {@code isolation} (a {@link java.sql.Connection}
     * {@code .TRANSACTION_*} level; {@code TRANSACTION_NONE} for the connection's own), retried as
     * {@link #inTransaction(Supplier)} is.
     */
    <T> T inTransaction(Supplier<T> work, int isolation) {
        if (isolation == java.sql.Connection.TRANSACTION_NONE) {
            return inTransaction(work);
        }
        TransactionTemplate isolated = new TransactionTemplate(transactionManager);
        // Spring's isolation constants are JDBC's
        isolated.setIsolationLevel(isolation);
        return call(() -> isolated.execute(status -> work.get()));
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
                return true;
            }
            // a statement failed in a transaction and the rollback failed after it, on the same dropped
            // connection (a pool's closed connection answers without a SQLState): the statement's failure,
            // which Spring keeps beside the rollback's, tells what happened
            if (cause instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                    && isTransient(rollback.getApplicationException())) {
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
                if (isTransientOnMariaDb(state, sql.getErrorCode())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * MariaDB's and MySQL's transient errors outside those classes (their deadlock is 40001): a lock wait
     * timeout (1205), a row changed since the transaction's snapshot (1020, MariaDB's serialization failure
     * with {@code innodb_snapshot_isolation}), a connection killed by the server (1927).
     */
    private static boolean isTransientOnMariaDb(String state, int code) {
        return ("HY000".equals(state) && (code == 1205 || code == 1020)) || ("70100".equals(state) && code == 1927);
    }

    private static void pause(int attempt) {
        long bound = Math.min(MAX_BACKOFF.toMillis(), INITIAL_BACKOFF.toMillis() << Math.min(attempt - 1, 20));
        try {
            Thread.sleep(bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SagaStoreException("Interrupted while waiting to retry a database call", null);
        }
    }
}
