package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.test.TestDatabase;

/**
 * The store contract on MariaDB with Connector/J's {@code useBulkStmts=true}: the driver then sends a batch
 * of {@code UPDATE}s with MariaDB's bulk command and answers each of its writes with
 * {@link Statement#SUCCESS_NO_INFO} instead of a row count. A fenced journal write that finds its lease lost
 * must still be reported as not written.
 */
class MariaDbBulkStatementsSagaStoreTest extends SagaStoreContractTest {

    static TestDatabase database;

    static HikariDataSource dataSource;

    static SagaStore store;

    @BeforeAll
    static void createDatabase() {
        if (TestDatabase.mariadbAvailable()) {
            database = TestDatabase.mariadb("ops_saga_");
            dataSource = poolWith(database.jdbcUrl(), "useBulkStmts=true", "bulk-statements");
            store = new JdbcSagaStore(dataSource, new MariaDbDialect("ops_saga_"));
        }
    }

    @BeforeEach
    void requireMariadb() {
        TestDatabase.assumeMariadb();
    }

    @AfterAll
    static void dropDatabase() {
        if (database != null) {
            dataSource.close();
            database.close();
        }
    }

    @Override
    SagaStore store() {
        return store;
    }

    @Override
    DataSource dataSource() {
        return dataSource;
    }

    @Override
    Object timestamp(Instant instant) {
        return MariaDbSagaStoreTest.DIALECT.timestamp(instant);
    }

    @Test
    void theDriverAnswersABatchOfUpdatesWithoutRowCounts() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TEMPORARY TABLE bulk (id INT PRIMARY KEY, v INT)");
            ddl.execute("INSERT INTO bulk VALUES (1, 0), (2, 0)");
            try (PreparedStatement update = connection.prepareStatement("UPDATE bulk SET v = 1 WHERE id = ?")) {
                for (int id = 1; id <= 3; id++) {
                    update.setInt(1, id);
                    update.addBatch();
                }

                int[] counts = update.executeBatch();

                assertThat(counts).as("what the setting makes of a batch of updates, one of which changes no row")
                        .containsOnly(Statement.SUCCESS_NO_INFO).hasSize(3);
            }
            finally {
                ddl.execute("DROP TEMPORARY TABLE bulk");
            }
        }
    }
}
