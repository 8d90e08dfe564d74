package dev.agentsaga.testing;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.store.jdbc.SchemaInitializer;

/**
 * A schema of its own for one test class, with the agent-saga tables applied by Liquibase and a
 * pooled data source whose connections resolve unqualified names in it. Closing drops it.
 */
public final class TestSchema implements AutoCloseable {

    private final TestDatabase database;

    private final String name;

    private final String tablePrefix;

    private final HikariDataSource dataSource;

    TestSchema(TestDatabase database, String name, String tablePrefix) {
        this.database = database;
        this.name = name;
        this.tablePrefix = tablePrefix;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl(name));
        config.setMaximumPoolSize(16);
        config.setPoolName("test-" + name);
        this.dataSource = new HikariDataSource(config);
        SchemaInitializer.apply(dataSource, tablePrefix);
    }

    /** The schema's name. */
    public String name() {
        return name;
    }

    /** The prefix of the agent-saga tables in this schema. */
    public String tablePrefix() {
        return tablePrefix;
    }

    /** A JDBC URL (with credentials) whose connections resolve unqualified names in this schema: for child JVMs. */
    public String jdbcUrl() {
        return database.jdbcUrl(name);
    }

    /** A pooled data source on this schema. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** A template on {@link #dataSource()}, for assertions on the tables. */
    public JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    @Override
    public void close() {
        dataSource.close();
        database.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }
}
