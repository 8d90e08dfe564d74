package dev.agentsaga.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * For a {@code @SpringBootTest} of an application with the agent-saga starter: the auto-configured
 * engine runs on a {@link TestClock} and polls every 10 ms, and a {@link SagaTester}
 * bean waits for sagas (skipping test-clock time while they wait on timers), exports their journals and
 * moves the clock. Give the test a database of its own as usual (an in-memory H2 URL, or Spring Boot's
 * test database support).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(SagaTestConfiguration.class)
@TestPropertySource(properties = "agent.saga.poll-interval=10ms")
public @interface AutoConfigureSagaTest {
}
