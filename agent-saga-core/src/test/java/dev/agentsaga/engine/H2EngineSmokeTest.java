package dev.agentsaga.engine;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.testing.H2TestDatabase;

/** {@link EngineSmokeContract} on H2 in PostgreSQL mode. */
class H2EngineSmokeTest extends EngineSmokeContract {

    static HikariDataSource dataSource;

    @BeforeAll
    static void schema() {
        dataSource = H2TestDatabase.newDataSource("agent_saga_");
    }

    @AfterAll
    static void drop() {
        dataSource.close();
    }

    @Override
    DataSource dataSource() {
        return dataSource;
    }
}
