package dev.agentsaga.engine;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.agentsaga.testing.TestDatabase;
import dev.agentsaga.testing.TestSchema;

/** {@link EngineSmokeContract} on PostgreSQL. */
class EngineSmokeTest extends EngineSmokeContract {

    static TestSchema schema;

    @BeforeAll
    static void schema() {
        schema = TestDatabase.get().newSchema();
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
