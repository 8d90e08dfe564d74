package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.TimeZone;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaStoreException;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.test.TestDatabase;

/** The store contract on MariaDB, with the same table prefix as the PostgreSQL run. */
class MariaDbSagaStoreTest extends SagaStoreContractTest {

    static TestDatabase database;

    static SagaStore store;

    static final MariaDbDialect DIALECT = new MariaDbDialect("ops_saga_");

    @BeforeAll
    static void createDatabase() {
        if (TestDatabase.mariadbAvailable()) {
            database = TestDatabase.mariadb("ops_saga_");
            store = new JdbcSagaStore(database.dataSource(), "ops_saga_");
        }
    }

    @BeforeEach
    void requireMariadb() {
        TestDatabase.assumeMariadb();
    }

    @AfterAll
    static void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    SagaStore store() {
        return store;
    }

    @Override
    DataSource dataSource() {
        return database.dataSource();
    }

    @Override
    Object timestamp(Instant instant) {
        return DIALECT.timestamp(instant);
    }

    @Test
    void theDialectIsFoundFromTheDataSource() {
        assertThat(SqlDialect.forDataSource(database.dataSource(), "ops_saga_")).isInstanceOf(MariaDbDialect.class);
    }

    @Test
    void versionsWithoutSkipLockedAreRefusedWithTheReason() {
        assertThat(SqlDialect.forProduct("MySQL", "8.0.36", "p_")).isInstanceOf(MariaDbDialect.class);
        assertThat(SqlDialect.forProduct("MariaDB", "10.6.18-MariaDB", "p_")).isInstanceOf(MariaDbDialect.class);
        assertThat(SqlDialect.forProduct("MySQL", "5.5.5-10.11.6-MariaDB", "p_")).isInstanceOf(MariaDbDialect.class);

        assertThatThrownBy(() -> SqlDialect.forProduct("MariaDB", "10.5.24-MariaDB", "p_"))
                .isInstanceOf(SagaStoreException.class).hasMessageContaining("MariaDB 10.6 or later");
        assertThatThrownBy(() -> SqlDialect.forProduct("MySQL", "5.7.44", "p_"))
                .isInstanceOf(SagaStoreException.class).hasMessageContaining("MySQL 8.0 or later");
        assertThatThrownBy(() -> SqlDialect.forProduct("MySQL", "5.5.5-10.4.1-MariaDB", "p_"))
                .isInstanceOf(SagaStoreException.class).hasMessageContaining("MariaDB 10.6 or later");
    }

    @Test
    void textBeyondSixtyFourKilobytesRoundTrips() {
        String id = UUID.randomUUID().toString();
        String input = "\"" + "é".repeat(200_000) + "\"";

        store.createInstance(new NewSaga(id, "trip", "1", input, null, now, now));

        assertThat(store.findInstance(id).orElseThrow().input()).isEqualTo(input);
    }

    @Test
    void timestampsAreTheSameInstantsWhateverTheJvmTimeZone() {
        TimeZone jvm = TimeZone.getDefault();
        String id = UUID.randomUUID().toString();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
            store.createInstance(new NewSaga(id, "trip", "1", "{}", null, now, now));
            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));

            assertThat(store.findInstance(id).orElseThrow().createdAt()).isEqualTo(now);
        }
        finally {
            TimeZone.setDefault(jvm);
        }
        String stored = database.jdbc().queryForObject(
                "SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM ops_saga_instance WHERE id = ?",
                String.class, id);
        assertThat(Instant.parse(stored)).as("the column, read as UTC").isEqualTo(now);
    }

    @Test
    void sagaIdsThatDifferOnlyInCaseAreDifferentSagas() {
        String id = "Trip-" + UUID.randomUUID();

        assertThat(store.createInstance(new NewSaga(id, "trip", "1", "{}", null, now, now))).isTrue();
        assertThat(store.createInstance(new NewSaga(id.toLowerCase(), "trip", "1", "{}", null, now, now))).isTrue();
    }
}
