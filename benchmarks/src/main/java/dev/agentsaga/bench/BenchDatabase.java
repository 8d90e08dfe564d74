package dev.agentsaga.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;

import dev.agentsaga.store.jdbc.SchemaInitializer;

/**
 * The schema a run works in: created at the start ({@code bench_...}), agent-saga's tables applied with
 * {@link SchemaInitializer}, the plain-JDBC baseline tables beside them, dropped at the end. On MariaDB
 * (a {@code jdbc:mariadb:} or {@code jdbc:mysql:} URL) the "schema" is a database of its own, and the
 * baseline tables have the column types of agent-saga's there ({@code LONGTEXT}, {@code DATETIME(6)}).
 */
final class BenchDatabase implements AutoCloseable {

    static final String PREFIX = "agent_saga_";

    static final String INSTANCE = PREFIX + "instance";

    static final String STEP = PREFIX + "step";

    static final String SIGNAL = PREFIX + "signal";

    /** The baseline's "instance" table: one row per plain-JDBC workflow. */
    static final String PLAIN_INSTANCE = "bench_plain_instance";

    /** The baseline's "journal": single-row INSERTs of a small text payload, keyed like the step table. */
    static final String PLAIN_STEP = "bench_plain_step";

    private final String jdbcUrl;

    private final String schema;

    private final boolean keep;

    private final List<HikariDataSource> pools = new ArrayList<>();

    private final boolean mariadb;

    private @Nullable Thread analyzer;

    /** Tables of other schemas ({@code schema.table}) that the autovacuum stand-in analyzes too. */
    private final List<String> alsoAnalyzed = new java.util.concurrent.CopyOnWriteArrayList<>();

    BenchDatabase(String jdbcUrl, String schema, boolean keep) {
        this.jdbcUrl = jdbcUrl;
        this.schema = schema;
        this.keep = keep;
        this.mariadb = jdbcUrl.startsWith("jdbc:mariadb:") || jdbcUrl.startsWith("jdbc:mysql:");
    }

    String schema() {
        return schema;
    }

    /** Whether the server is MariaDB (or MySQL) rather than PostgreSQL. */
    boolean mariadb() {
        return mariadb;
    }

    /** The URL with {@code currentSchema} set to the run's schema; on MariaDB, with the run's database. */
    String schemaUrl() {
        if (mariadb) {
            Matcher url = Pattern.compile("^(jdbc:[a-z]+://[^/?]+)(/[^?]*)?(\\?.*)?$").matcher(jdbcUrl);
            if (!url.matches()) {
                throw new IllegalArgumentException("not a JDBC URL of the form jdbc:mariadb://host:port/database?params: "
                        + jdbcUrl);
            }
            return url.group(1) + "/" + schema + (url.group(3) == null ? "" : url.group(3));
        }
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Creates the schema, agent-saga's tables and the baseline tables. */
    void create() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute((mariadb ? "CREATE DATABASE " : "CREATE SCHEMA ") + schema);
        }
        String text = mariadb ? "LONGTEXT" : "TEXT";
        String timestamp = mariadb ? "DATETIME(6)" : "TIMESTAMP WITH TIME ZONE";
        String options = mariadb ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : "";
        try (HikariDataSource ds = pool("bench-setup", 1)) {
            SchemaInitializer.apply(ds, PREFIX);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + PLAIN_INSTANCE + " (id VARCHAR(200) PRIMARY KEY, status VARCHAR(32) NOT NULL, "
                        + "input " + text + ", output " + text + ", created_at " + timestamp + " NOT NULL, "
                        + "updated_at " + timestamp + " NOT NULL)" + options);
                s.execute("CREATE TABLE " + PLAIN_STEP + " (saga_id VARCHAR(200) NOT NULL, seq INT NOT NULL, "
                        + "payload " + text + ", created_at " + timestamp + " NOT NULL, PRIMARY KEY (saga_id, seq))"
                        + options);
            }
        }
        pools.removeIf(HikariDataSource::isClosed);
    }

    /** A pool on the run's schema. */
    HikariDataSource pool(String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(schemaUrl());
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(60_000);
        HikariDataSource ds = new HikariDataSource(config);
        pools.add(ds);
        return ds;
    }

    /** Empties every table, so that each measurement starts from the same journal size. */
    void truncate(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // no ANALYZE of the emptied tables: statistics of an empty table make PostgreSQL plan the lease
            // check as a sequential scan, and pooled connections keep that plan as the table grows;
            // TRUNCATE leaves the tables "never analyzed", which plans index scans
            if (mariadb) {
                // one table per TRUNCATE there
                for (String table : List.of(INSTANCE, STEP, SIGNAL, PLAIN_INSTANCE, PLAIN_STEP)) {
                    s.execute("TRUNCATE TABLE " + table);
                }
                return;
            }
            s.execute("TRUNCATE " + INSTANCE + ", " + STEP + ", " + SIGNAL + ", " + PLAIN_INSTANCE + ", " + PLAIN_STEP);
        }
    }

    /** A scalar query. */
    static long queryLong(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String queryString(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * When the server runs with {@code autovacuum=off}, does what autovacuum's ANALYZE would do on a
     * production server: every {@code periodMillis}, analyzes those of agent-saga's tables that changed
     * by 10% since their last analysis (autovacuum's default scale factor), from 1,000 rows on.
     * Without it, the generic plan PostgreSQL caches for a pooled connection's prepared statement is
     * planned once, on the tables as they were then, and stays: the lease check planned on a near-empty
     * instance table is a sequential scan, which the benchmark then pays on every step as the table grows
     * (measured: 0.5 ms a step instead of 0.17 ms). An ANALYZE invalidates those plans.
     * @return whether the server's autovacuum is off and the analyzer runs
     */
    boolean standInForAutovacuum(long periodMillis) throws SQLException {
        if (mariadb) {
            // InnoDB keeps its statistics itself (innodb_stats_auto_recalc)
            return false;
        }
        try (HikariDataSource ds = pool("autovacuum-check", 1)) {
            if (!"off".equals(queryString(ds, "SHOW autovacuum"))) {
                return false;
            }
        }
        pools.removeIf(HikariDataSource::isClosed);
        analyzer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection(schemaUrl()); Statement s = c.createStatement()) {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(periodMillis);
                    List<String> due = new ArrayList<>();
                    String others = alsoAnalyzed.isEmpty() ? ""
                            : " OR schemaname || '.' || relname IN ('" + String.join("', '", alsoAnalyzed) + "')";
                    try (ResultSet rs = s.executeQuery("SELECT schemaname, relname FROM pg_stat_user_tables WHERE "
                            + "((schemaname = '" + schema + "' AND relname IN ('" + INSTANCE + "', '" + STEP + "'))"
                            + others + ") AND n_live_tup >= 1000 AND n_mod_since_analyze > 0.1 * n_live_tup")) {
                        while (rs.next()) {
                            due.add("\"" + rs.getString(1) + "\"." + rs.getString(2));
                        }
                    }
                    for (String table : due) {
                        s.execute("ANALYZE " + table);
                    }
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            catch (SQLException ex) {
                System.err.println("The analyzer stopped: " + ex.getMessage());
            }
        }, "bench-analyzer");
        analyzer.setDaemon(true);
        analyzer.start();
        return true;
    }

    /**
     * Has the autovacuum stand-in (when it runs) analyze these tables of another schema too, by the same rule: the
     * system tables of an engine measured beside agent-saga get what agent-saga's tables get.
     */
    void analyzeAlso(String otherSchema, String... tables) {
        for (String table : tables) {
            alsoAnalyzed.add(otherSchema + "." + table);
        }
    }

    @Override
    public void close() {
        if (analyzer != null) {
            analyzer.interrupt();
        }
        pools.forEach(HikariDataSource::close);
        if (keep) {
            System.err.println((mariadb ? "Kept database " : "Kept schema ") + schema);
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute(mariadb ? "DROP DATABASE IF EXISTS " + schema : "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        catch (SQLException ex) {
            System.err.println("Could not drop schema " + schema + ": " + ex.getMessage());
        }
    }
}
