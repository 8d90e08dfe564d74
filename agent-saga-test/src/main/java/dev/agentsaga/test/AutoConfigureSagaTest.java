package dev.agentsaga.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextCustomizerFactories;
import org.springframework.test.context.TestPropertySource;

/**
 * For a {@code @SpringBootTest} of an application with the agent-saga starter: the auto-configured
 * engine runs on a {@link TestClock} and polls every 10 ms, and a {@link SagaTester}
 * bean waits for sagas (skipping test-clock time while they wait on timers), exports their journals and
 * moves the clock. With {@link #database()} the context gets a new database of its own, in which the
 * starter creates the agent-saga tables; by default the application keeps the one it configures.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(SagaTestConfiguration.class)
@TestPropertySource(properties = "agent.saga.poll-interval=10ms")
@ContextCustomizerFactories(SagaTestDatabase.Factory.class)
public @interface AutoConfigureSagaTest {

    /**
     * The database of the application context: the application's own ({@link Database#APPLICATION}, the
     * default), or a new one for the context, its {@code spring.datasource.url}, given to the test as a
     * {@link TestDatabase} bean and dropped when the context closes. Test classes with the same
     * configuration share a cached context, and so its database, as Spring's test contexts do; mark a
     * class {@code @DirtiesContext} for a database of its own.
     */
    Database database() default Database.APPLICATION;

    /** Where the application under test journals. */
    enum Database {
        /** The database the application configures itself (an in-memory H2 URL in the test's properties, say). */
        APPLICATION,
        /** A new in-memory H2 database in {@code MODE=PostgreSQL}. */
        H2,
        /** A new schema on the test PostgreSQL, found as for {@code @SagaTest(database = POSTGRESQL)}. */
        POSTGRESQL
    }
}
