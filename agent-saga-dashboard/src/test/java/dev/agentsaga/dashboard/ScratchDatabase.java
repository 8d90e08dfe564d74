package dev.agentsaga.dashboard;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

import dev.agentsaga.test.TestDatabase;

/**
 * An empty schema of its own on the test PostgreSQL for each Spring test class (the starter creates the
 * agent-saga tables in it), dropped by {@link DropAfterTestClass} once the class's context is closed
 * (with {@code @DirtiesContext}), so that no engine polls a dropped schema.
 */
final class ScratchDatabase {

    private static final Map<Class<?>, TestDatabase> byTestClass = new ConcurrentHashMap<>();

    private ScratchDatabase() {
    }

    static TestDatabase forTestClass(Class<?> testClass) {
        return byTestClass.computeIfAbsent(testClass, type -> TestDatabase.emptyPostgresql());
    }

    /** Drops the schema of the test class; ordered first, so that it runs last, after the context was closed. */
    public static final class DropAfterTestClass implements TestExecutionListener, Ordered {

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public void afterTestClass(TestContext testContext) {
            TestDatabase database = byTestClass.remove(testContext.getTestClass());
            if (database != null) {
                database.close();
            }
        }
    }
}
