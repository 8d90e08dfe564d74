package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaStoreException;
import dev.agentsaga.spi.JournalWrite.AppendStep;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.test.TestDatabase;

/** The store contract on PostgreSQL, with a non-default table prefix. */
class PostgresSagaStoreTest extends SagaStoreContractTest {

    static TestDatabase schema;

    static SagaStore store;

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql("ops_saga_");
        store = new JdbcSagaStore(schema.dataSource(), new PostgresDialect("ops_saga_"));
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Override
    SagaStore store() {
        return store;
    }

    @Override
    DataSource dataSource() {
        return schema.dataSource();
    }

    @Test
    void theDialectIsFoundFromTheDataSource() {
        assertThat(SqlDialect.forDataSource(schema.dataSource(), "ops_saga_")).isInstanceOf(PostgresDialect.class);
    }

    @Test
    void aGroupOfWritesWhoseConnectionTheDatabaseDropsIsWrittenOrFailsAsAStoreError() throws Exception {
        String first = newSaga("node-a");
        String blocked = newSaga("node-a");
        List<JournalWrite> writes = List.of(new AppendStep(lease(first), callStep(first, 1)),
                new AppendStep(lease(blocked), callStep(blocked, 1)));
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Connection locker = schema.dataSource().getConnection(); Statement sql = locker.createStatement()) {
            // hold the second saga's row so that the group waits in the middle, then drop its connection
            locker.setAutoCommit(false);
            sql.execute("SELECT id FROM ops_saga_instance WHERE id = '" + blocked + "' FOR UPDATE");
            Future<boolean[]> written = writer.submit(() -> store.writeAll(writes));
            int victim = awaitBlockedBackend(sql);
            sql.execute("SELECT pg_terminate_backend(" + victim + ")");
            locker.commit();

            Throwable failure = null;
            boolean[] result = null;
            try {
                result = written.get(30, TimeUnit.SECONDS);
            }
            catch (ExecutionException ex) {
                failure = ex.getCause();
            }
            int journaled = store.loadJournal(first).size() + store.loadJournal(blocked).size();
            if (failure == null) {
                assertThat(result).as("the group, written after the store reconnected").containsExactly(true, true);
                assertThat(journaled).isEqualTo(2);
            }
            else {
                assertThat(failure).as("what writeAll threw when the database dropped its connection")
                        .isInstanceOf(SagaStoreException.class);
                assertThat(journaled).as("journal entries of the failed group").isZero();
            }
        }
        finally {
            writer.shutdownNow();
        }
    }

    /** The backend that waits for a lock the statement's connection holds (polled, bounded). */
    private static int awaitBlockedBackend(Statement sql) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (ResultSet rows = sql.executeQuery(
                    "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))")) {
                if (rows.next()) {
                    return rows.getInt(1);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the group of writes never waited for the held row");
    }
}
