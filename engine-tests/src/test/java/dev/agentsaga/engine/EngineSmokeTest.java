package dev.agentsaga.engine;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.agentsaga.test.TestDatabase;

/** {@link EngineSmokeContract} on PostgreSQL. */
class EngineSmokeTest extends EngineSmokeContract {

    static TestDatabase schema;

    @BeforeAll
    static void schema() {
        schema = TestDatabase.postgresql();
    }

    @AfterAll
    static void drop() {
        schema.close();
    }

    @Override
    DataSource dataSource() {
        return schema.dataSource();
    }
}
