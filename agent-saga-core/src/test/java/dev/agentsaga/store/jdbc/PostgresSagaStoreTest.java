package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.testing.TestDatabase;
import dev.agentsaga.testing.TestSchema;

/** The store contract on PostgreSQL, with a non-default table prefix. */
class PostgresSagaStoreTest extends SagaStoreContractTest {

    static TestSchema schema;

    static SagaStore store;

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.get().newSchema("ops_saga_");
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
}
