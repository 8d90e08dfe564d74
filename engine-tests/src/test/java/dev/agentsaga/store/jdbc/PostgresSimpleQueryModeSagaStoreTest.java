package dev.agentsaga.store.jdbc;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.test.TestDatabase;

/**
 * The store contract on PostgreSQL through PgJDBC's simple query protocol ({@code preferQueryMode=simple},
 * a setting used behind connection poolers such as PgBouncer): the driver then sends each statement of a
 * JDBC batch as a query of its own, so a batch in auto-commit is not one transaction.
 */
class PostgresSimpleQueryModeSagaStoreTest extends SagaStoreContractTest {

    static TestDatabase schema;

    static HikariDataSource dataSource;

    static SagaStore store;

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql("ops_saga_");
        dataSource = poolWith(schema.jdbcUrl(), "preferQueryMode=simple", "simple-query-mode");
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
}
