package dev.agentsaga.autoconfigure.app;

import static org.assertj.core.api.Assertions.assertThat;


import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext.HierarchyMode;
import org.springframework.test.context.TestContextManager;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.test.AutoConfigureSagaTest;
import dev.agentsaga.test.SagaTester;
import dev.agentsaga.test.TestDatabase;

/**
 * The test kit's {@code @AutoConfigureSagaTest(database = ...)} on a real application: the context journals
 * to a database of its own, in which the starter created the tables, and the database is dropped when the
 * context closes. The application contexts are loaded and closed here as Spring's test framework does.
 */
class TestKitDatabaseTest {

    @SpringBootTest(classes = SagaStarterTestApplication.class, webEnvironment = WebEnvironment.NONE,
            properties = "agent.saga.shutdown-grace=1s")
    @AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
    static class OnPostgresql {
    }

    @SpringBootTest(classes = SagaStarterTestApplication.class, webEnvironment = WebEnvironment.NONE,
            properties = { "spring.datasource.url=jdbc:h2:mem:never-used", "spring.datasource.username=app",
                    "agent.saga.shutdown-grace=1s" })
    @AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.H2)
    static class OnH2OverTheApplicationsOwnUrl {
    }

    @Test
    void aPostgresqlSchemaOfItsOwnWithTheTablesIsDroppedWhenTheContextCloses() throws Exception {
        TestContextManager tests = new TestContextManager(OnPostgresql.class);
        ApplicationContext context = tests.getTestContext().getApplicationContext();
        TestDatabase database = context.getBean(TestDatabase.class);

        String id = context.getBean(SagaCoordinator.class).start("trip", new TripRequest("Lisbon", new TripRequest.Traveller("Ana", "k-1"), "pw")).id();
        SagaStatus status = context.getBean(SagaTester.class).awaitFinal(id).status();
        Integer rows = database.jdbc().queryForObject("SELECT count(*) FROM agent_saga_instance WHERE id = ?",
                Integer.class, id);
        String applicationUrl = jdbcUrlOf(context.getBean(DataSource.class));
        tests.getTestContext().markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);

        assertThat(applicationUrl).isEqualTo(database.jdbcUrl());
        assertThat(status).isEqualTo(SagaStatus.COMPLETED);
        assertThat(rows).isOne();
        try (TestDatabase other = TestDatabase.emptyPostgresql()) {
            assertThat(other.jdbc().queryForObject(
                    "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", Integer.class,
                    database.name())).as("schema %s after the context closed", database.name()).isZero();
        }
    }

    @Test
    void anInMemoryH2DatabaseTakesThePlaceOfTheApplicationsUrl() {
        TestContextManager tests = new TestContextManager(OnH2OverTheApplicationsOwnUrl.class);
        ApplicationContext context = tests.getTestContext().getApplicationContext();
        TestDatabase database = context.getBean(TestDatabase.class);
        try {
            String id = context.getBean(SagaCoordinator.class).start("trip", new TripRequest("Porto", new TripRequest.Traveller("Rui", "k-2"), "pw")).id();

            assertThat(jdbcUrlOf(context.getBean(DataSource.class))).isEqualTo(database.jdbcUrl())
                    .startsWith("jdbc:h2:mem:agent_saga_");
            assertThat(context.getBean(SagaTester.class).awaitFinal(id).status())
                    .isEqualTo(SagaStatus.COMPLETED);
        }
        finally {
            tests.getTestContext().markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
        }
    }

    private static String jdbcUrlOf(DataSource dataSource) {
        HikariDataSource hikari = DataSourceUnwrapper.unwrap(dataSource, HikariDataSource.class);
        assertThat(hikari).as("the application's pool").isNotNull();
        return hikari.getJdbcUrl();
    }
}
