package dev.agentsaga.autoconfigure;

import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.test.TestDatabase;

/**
 * A schema of its own on the test PostgreSQL (a {@link TestDatabase} of the test kit), empty (for tests
 * in which the starter must create the agent-saga tables itself) or with the tables, and what the Boot
 * tests ask of it: the {@code spring.datasource.url} property, its tables, a saga's rows. Closing drops it.
 */
public final class ScratchSchema implements AutoCloseable {

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
}
