package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.test.TestDatabase;

/**
 * The store contract on PostgreSQL with PgJDBC's {@code reWriteBatchedInserts=true}, a common production
 * setting: the driver then sends a batch of {@code INSERT ... VALUES} as multi-row inserts and answers each of
 * its writes with {@link Statement#SUCCESS_NO_INFO} instead of a row count. A fenced journal write that
 * finds its lease lost must still be reported as not written.
 */
class PostgresRewrittenBatchSagaStoreTest extends SagaStoreContractTest {

    static TestDatabase schema;

    static HikariDataSource dataSource;

    static SagaStore store;

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql("ops_saga_");
        dataSource = poolWith(schema.jdbcUrl(), "reWriteBatchedInserts=true", "rewritten-batches");
        store = new JdbcSagaStore(dataSource, new PostgresDialect("ops_saga_"));
    }

    @AfterAll
    static void dropSchema() {
        dataSource.close();
        schema.close();
    }

    @Override
    SagaStore store() {
        return store;
    }

    @Override
    DataSource dataSource() {
        return dataSource;
    }

    @Test
    void theDriverAnswersABatchOfInsertsOfValuesWithoutRowCounts() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TEMPORARY TABLE rewritten (id INT)");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rewritten (id) VALUES (?)")) {
                for (int id = 1; id <= 4; id++) {
                    insert.setInt(1, id);
                    insert.addBatch();
                }

                int[] counts = insert.executeBatch();

                assertThat(counts).as("what the setting makes of a batch that the driver rewrites")
                        .containsOnly(Statement.SUCCESS_NO_INFO).hasSize(4);
            }
            finally {
                ddl.execute("DROP TABLE rewritten");
            }
        }
    }
}
