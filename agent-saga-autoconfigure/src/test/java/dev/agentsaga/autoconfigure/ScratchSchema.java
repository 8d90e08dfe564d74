package dev.agentsaga.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

import dev.agentsaga.test.TestDatabase;

/**
 * A schema of its own on the test PostgreSQL (a {@link TestDatabase} of the test kit), empty (for tests
 * in which the starter must create the agent-saga tables itself) or with the tables, and what the Boot
 * tests ask of it: the {@code spring.datasource.url} property, its tables, a saga's rows. Closing drops it.
 */
public final class ScratchSchema implements AutoCloseable {

    private static final Map<Class<?>, ScratchSchema> byTestClass = new ConcurrentHashMap<>();

    private final TestDatabase database;

    private ScratchSchema(TestDatabase database) {
        this.database = database;
    }

    /** Creates a schema with a fresh name and nothing in it. */
    public static ScratchSchema empty() {
        return new ScratchSchema(TestDatabase.emptyPostgresql());
    }

    /** Creates a schema with a fresh name and the agent-saga tables (prefix {@code agent_saga_}) in it. */
    public static ScratchSchema withTables() {
        return new ScratchSchema(TestDatabase.postgresql());
    }

    /**
     * The empty schema of a Spring test class, created on first use and dropped by {@link DropAfterTestClass} once
     * the class's application context is closed (with {@code @DirtiesContext}), so no engine polls a dropped schema.
     */
    public static ScratchSchema forTestClass(Class<?> testClass) {
        return byTestClass.computeIfAbsent(testClass, type -> empty());
    }

    /** The schema's name. */
    public String name() {
        return database.name();
    }

    /** A JDBC URL (with credentials) whose connections resolve unqualified names in this schema. */
    public String jdbcUrl() {
        return database.jdbcUrl();
    }

    /** The {@code spring.datasource.url} property pointing at this schema. */
    public String datasourceUrlProperty() {
        return "spring.datasource.url=" + jdbcUrl();
    }

    /** A template on this schema, for assertions on its tables. */
    public JdbcTemplate jdbc() {
        return database.jdbc();
    }

    /** The names of the tables in this schema, lower case. */
    public List<String> tables() {
        return jdbc().queryForList("SELECT lower(table_name) FROM information_schema.tables WHERE table_schema = ?",
                String.class, name());
    }

    /** How many rows {@code table} of this schema has for the saga {@code sagaId}. */
    public int sagaRows(String table, String sagaId) {
        Integer count = jdbc().queryForObject("SELECT count(*) FROM " + name() + "." + table + " WHERE id = ?",
                Integer.class, sagaId);
        return count == null ? 0 : count;
    }

    @Override
    public void close() {
        database.close();
    }

    /**
     * Drops the schema of {@link #forTestClass}. Ordered first, so its {@code afterTestClass} runs last,
     * after the context was closed.
     */
    public static final class DropAfterTestClass implements TestExecutionListener, Ordered {

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public void afterTestClass(TestContext testContext) {
            ScratchSchema schema = byTestClass.remove(testContext.getTestClass());
            if (schema != null) {
                schema.close();
            }
        }
    }
}
