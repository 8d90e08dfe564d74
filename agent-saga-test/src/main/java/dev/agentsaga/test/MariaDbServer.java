package dev.agentsaga.test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MariaDB (or MySQL) server that tests run against, found or started at most once per JVM: the one
 * {@value TestDatabase#MARIADB_URL_VARIABLE} names, else a Testcontainers container where a Docker engine
 * answers. Without either, a test that asks for it is aborted (reported as skipped) with the reason.
 */
final class MariaDbServer {

    private static final Logger log = LoggerFactory.getLogger(MariaDbServer.class);

    /** {@code jdbc:mariadb://host:port/database?params}: the database is the path's only segment. */
    private static final Pattern URL = Pattern.compile("^(jdbc:[a-z]+://[^/?]+)(/[^?]*)?(\\?.*)?$");

    private static volatile @Nullable MariaDbServer instance;

    private static volatile @Nullable String unavailable;

    private final String jdbcUrl;

    private MariaDbServer(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /** The server; aborts the calling test when there is none. */
    static MariaDbServer get() {
        MariaDbServer server = find();
        Assumptions.assumeTrue(server != null, () -> "No MariaDB to test against: " + unavailable);
        return server;
    }

    /** Whether there is a server to test against (found or started at the first call). */
    static boolean available() {
        return find() != null;
    }

    private static @Nullable MariaDbServer find() {
        MariaDbServer server = instance;
        if (server == null) {
            synchronized (MariaDbServer.class) {
                server = instance;
                if (server == null && unavailable == null) {
                    server = start();
                    instance = server;
                }
            }
        }
        return server;
    }

    /** The JDBC URL with {@code database} as the connection's database. */
    String jdbcUrl(String database) {
        Matcher url = URL.matcher(jdbcUrl);
        if (!url.matches()) {
            throw new IllegalStateException("Not a JDBC URL of the form jdbc:mariadb://host:port/database?params: "
                    + jdbcUrl);
        }
        return url.group(1) + "/" + database + (url.group(3) == null ? "" : url.group(3));
    }

    void execute(String sql) {
        TestServers.execute(jdbcUrl, sql, "MariaDB");
    }

    private static @Nullable MariaDbServer start() {
        String url = System.getenv(TestDatabase.MARIADB_URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            log.info("Tests run against the MariaDB at {}", TestServers.masked(url));
            return new MariaDbServer(url);
        }
        if (TestServers.dockerAvailable()) {
            log.info("Tests run against a MariaDB container");
            return Container.start();
        }
        unavailable = TestDatabase.MARIADB_URL_VARIABLE + " is not set (e.g. jdbc:mariadb://127.0.0.1:3306/test?user=root)"
                + " and no Docker engine answers for a Testcontainers MariaDB";
        return null;
    }

    /** Kept apart so that the Testcontainers classes load only where Docker answers. */
    private static final class Container {

        static MariaDbServer start() {
            var container = new org.testcontainers.mariadb.MariaDBContainer("mariadb:10.11").withUsername("root")
                    .withPassword("test");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "mariadb-container-stop"));
            String url = container.getJdbcUrl();
            return new MariaDbServer(
                    TestServers.withCredentials(url, container.getUsername(), container.getPassword()));
        }
    }
}
