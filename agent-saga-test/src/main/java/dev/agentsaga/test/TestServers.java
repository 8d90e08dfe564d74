package dev.agentsaga.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** What finding a test database server takes, whichever the database: a statement, Docker, a URL's credentials. */
final class TestServers {

    private TestServers() {
    }

    /** Runs one statement on the server at {@code jdbcUrl} (the {@code server} names it in the error). */
    static void execute(String jdbcUrl, String sql, String server) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not run '" + sql + "' on the test " + server, ex);
        }
    }

    /** The URL for a log line: its password masked. */
    static String masked(String jdbcUrl) {
        return jdbcUrl.replaceAll("password=[^&]*", "password=***");
    }

    /** The URL of a container with its credentials as parameters. */
    static String withCredentials(String jdbcUrl, String user, String password) {
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "user=" + user + "&password=" + password;
    }

    /** Whether a Docker engine answers, for a Testcontainers database; false where Testcontainers is absent. */
    static boolean dockerAvailable() {
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))
                && !Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"))) {
            return false;
        }
        try {
            return Docker.answers();
        }
        catch (LinkageError | RuntimeException ex) {
            return false;
        }
    }

    /** Kept apart so that the Testcontainers classes load only where a Docker socket exists. */
    private static final class Docker {

        static boolean answers() {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        }
    }
}
