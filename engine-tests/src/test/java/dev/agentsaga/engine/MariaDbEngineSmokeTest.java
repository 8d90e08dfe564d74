package dev.agentsaga.engine;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import dev.agentsaga.test.TestDatabase;

/** {@link EngineSmokeContract} on MariaDB. */
class MariaDbEngineSmokeTest extends EngineSmokeContract {

    static TestDatabase database;

    @BeforeAll
    static void schema() {
        if (TestDatabase.mariadbAvailable()) {
            database = TestDatabase.mariadb();
        }
    }

    @BeforeEach
    void requireMariadb() {
        TestDatabase.assumeMariadb();
    }

    @AfterAll
    static void drop() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    DataSource dataSource() {
        return database.dataSource();
    }
}
