package dev.agentsaga.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test class whose tests each get a {@link SagaTestEnvironment} as a parameter: a fresh
 * database with the agent-saga tables, a {@link TestClock}, and engines built on them, all shut down
 * and dropped after the test.
 *
 * <pre>{@code
 * @SagaTest
 * class TripTest {
 *     @Test
 *     void booksATrip(SagaTestEnvironment env) {
 *         env.configure(engine -> engine.action(new BookFlight()).workflow("trip", new TripWorkflow()));
 *         SagaView trip = env.awaitFinal(env.start("trip", request).id());
 *         assertThatSaga(trip).isCompleted();
 *     }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SagaTestExtension.class)
public @interface SagaTest {

    /** The database each test runs on. */
    Database database() default Database.H2;

    /** The databases a test can run on. */
    enum Database {
        /** An in-memory H2 database per test, in {@code MODE=PostgreSQL}. */
        H2,
        /** A schema of its own per test on the test PostgreSQL (see {@link TestDatabase}). */
        POSTGRESQL
    }
}
