package dev.agentsaga.engine;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.agentsaga.test.TestDatabase;

/** {@link EngineSmokeContract} on H2 in PostgreSQL mode. */
class H2EngineSmokeTest extends EngineSmokeContract {

    static TestDatabase database;

    @BeforeAll
    static void schema() {
        database = TestDatabase.h2();
    }

    @AfterAll
    static void drop() {
        database.close();
    }

    @Override
    DataSource dataSource() {
        return database.dataSource();
    }
}
