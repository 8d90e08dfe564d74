package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.SagaStoreException;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.test.TestDatabase;

/** The store contract on H2 in PostgreSQL mode, with the same table prefix as the PostgreSQL run. */
class H2SagaStoreTest extends SagaStoreContractTest {

    static TestDatabase database;

    static DataSource dataSource;

    static SagaStore store;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.h2("ops_saga_");
        dataSource = database.dataSource();
        store = new JdbcSagaStore(dataSource, "ops_saga_");
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
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
    void theDialectIsFoundFromTheDataSource() {
        assertThat(SqlDialect.forDataSource(dataSource, "ops_saga_")).isInstanceOf(H2Dialect.class);
    }

    @Test
    void anotherDatabaseIsRefusedWithTheReason() {
        assertThatThrownBy(() -> SqlDialect.forProduct("Oracle", "23.4.0", "ops_saga_"))
                .isInstanceOf(SagaStoreException.class).hasMessageContaining("PostgreSQL, MariaDB, MySQL and H2")
                .hasMessageContaining("Oracle 23.4.0");
    }

    @Test
    void longTextRoundTripsThroughTheClobColumns() {
        String id = UUID.randomUUID().toString();
        String input = "\"" + "x".repeat(200_000) + "\"";

        store.createInstance(new NewSaga(id, "trip", "1", input, null, now, now));

        assertThat(store.findInstance(id).orElseThrow().input()).isEqualTo(input);
        String type = new JdbcTemplate(dataSource).queryForObject("""
                SELECT data_type FROM information_schema.columns
                WHERE LOWER(table_name) = 'ops_saga_instance' AND LOWER(column_name) = 'input'""", String.class);
        assertThat(type).isEqualTo("CHARACTER LARGE OBJECT");
    }
}
