package dev.agentsaga.store.jdbc;

import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** What the parts of {@link JdbcSagaStore} share: the JDBC template, transactions and the one retry. */
final class JdbcCalls {

    final NamedParameterJdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final TransientRetry retry = TransientRetry.defaults();

    JdbcCalls(DataSource dataSource) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Runs {@code work}, retrying SQL errors that pass (see {@link TransientRetry}). */
    <T> T call(Supplier<T> work) {
        return retry.call(work);
    }

    /** Runs {@code work} in one transaction, the whole transaction retried on SQL errors that pass. */
    <T> T inTransaction(Supplier<T> work) {
        return call(() -> transactions.execute(status -> work.get()));
    }
}
