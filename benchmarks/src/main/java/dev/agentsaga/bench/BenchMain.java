package dev.agentsaga.bench;

import java.lang.management.ManagementFactory;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.bench.Results.Log;

/**
 * The benchmark harness of agent-saga: a plain main (no JMH: every figure here is a round trip to
 * the database or a multi-second throughput window, where a fork-per-benchmark harness adds nothing but
 * run time). See {@code docs/benchmarks.md}.
 */
public final class BenchMain {

    /** Liquibase reports through java.util.logging; only its warnings are of interest here (a strong reference). */
    private static final java.util.logging.Logger LIQUIBASE = java.util.logging.Logger.getLogger("liquibase");

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        }
        catch (IllegalArgumentException ex) {
            String message = ex.getMessage();
            if (message != null && !message.isEmpty()) {
                System.err.println(message);
            }
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        LIQUIBASE.setLevel(java.util.logging.Level.WARNING);
        String schema = "bench_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
        Results results = new Results();
        List<String> plans = new ArrayList<>();
        long t0 = System.nanoTime();
        try (BenchDatabase db = new BenchDatabase(options.jdbcUrl(), schema, options.keepSchema())) {
            db.create();
            if (db.standInForAutovacuum(1000)) {
                Log.info("the server runs with autovacuum=off: the harness analyzes agent-saga's tables in its "
                        + "place (each 10%% of change, checked every second)");
            }
            Log.info("schema %s; benchmarks %s, scale %s, rounds %d", schema, options.only(), options.scale(),
                    options.rounds());
            String machine = machine(db);
            if (db.mariadb()) {
                for (String postgresOnly : List.of("scale", "dashboard", "retention", "dbos")) {
                    if (options.runs(postgresOnly)) {
                        options.only().remove(postgresOnly);
                        Log.info("%s: PostgreSQL only (its query plans and VACUUM; DBOS's system database), skipped "
                                + "on MariaDB", postgresOnly);
                    }
                }
            }
            if (options.runs("sequential")) {
                new SequentialBench(db, options, results).run();
            }
            if (options.runs("throughput")) {
                new ThroughputBench(db, options, results).run();
            }
            if (options.runs("recovery")) {
                RecoveryBench recovery = new RecoveryBench(db, options, results);
                recovery.run();
                plans.addAll(recovery.plans());
            }
            if (options.runs("scale")) {
                ScaleBench scale = new ScaleBench(db, options, results);
                scale.run();
                plans.addAll(scale.plans());
            }
            if (options.runs("memory")) {
                new MemoryBench(db, options, results).run();
            }
            if (options.runs("dashboard")) {
                new DashboardBench(db, options, results).run();
            }
            if (options.runs("agents")) {
                new AgentBench(db, options, results).run();
            }
            if (options.runs("retention")) {
                new RetentionBench(db, options, results).run();
            }
            if (options.runs("queues")) {
                new QueueBench(db, options, results).run();
            }
            if (options.runs("dbos")) {
                new DbosBench(db, options, results).run();
            }
            System.out.println("agent-saga benchmarks, " + LocalDateTime.now().withNano(0));
            System.out.println(machine);
            System.out.println("load average at the end: " + loadAverage());
            results.print(System.out);
            if (!plans.isEmpty()) {
                System.out.println("Query plans (EXPLAIN ANALYZE, BUFFERS):");
                System.out.println();
                plans.forEach(plan -> System.out.println(plan + "\n"));
            }
        }
        Log.info("done in %.0f s", (System.nanoTime() - t0) / 1e9);
        System.exit(0);
    }

    /** The 1, 5 and 15 minute load averages (Linux), to judge how busy the machine was. */
    static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        }
        catch (java.io.IOException | RuntimeException ex) {
            return String.format(java.util.Locale.ROOT, "%.2f",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String machine(BenchDatabase db) throws Exception {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        try (HikariDataSource pool = db.pool("info", 1)) {
            String version = BenchDatabase.queryString(pool, "SELECT version()");
            String settings = BenchDatabase.queryString(pool, db.mariadb()
                    // what decides commit latency and locking there
                    ? "SELECT GROUP_CONCAT(CONCAT(LOWER(variable_name), '=', variable_value) ORDER BY variable_name "
                            + "SEPARATOR ', ') FROM information_schema.global_variables WHERE variable_name IN "
                            + "('INNODB_FLUSH_LOG_AT_TRX_COMMIT', 'SYNC_BINLOG', 'LOG_BIN', 'INNODB_FLUSH_METHOD', "
                            + "'INNODB_BUFFER_POOL_SIZE', 'MAX_CONNECTIONS', 'TX_ISOLATION', 'INNODB_LOCK_WAIT_TIMEOUT')"
                    : "SELECT string_agg(name || '=' || setting || "
                    + "COALESCE(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('synchronous_commit', "
                    + "'fsync', 'autovacuum', 'wal_sync_method', 'shared_buffers', 'max_connections', 'commit_delay')");
            return String.format("machine: %d CPUs, %.1f GiB RAM, load average at start %s; Java %s (%s), "
                    + "max heap %d MiB%n%s%n%s", Runtime.getRuntime().availableProcessors(), memory / 1073741824.0,
                    loadAverage(),
                    System.getProperty("java.version"), System.getProperty("java.vm.name"),
                    Runtime.getRuntime().maxMemory() / 1048576, version, settings);
        }
    }
}
