package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.rate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaRetention;
import dev.agentsaga.bench.Results.Log;

/**
 * 8. The hot path while retention deletes a backlog of finished sagas: workflows per second with 64 in
 * flight and retention on (keeping 30 days, default batch of 500, a round every 100 ms; at the default duty
 * cycle of 0.1, and flat out at 1) over a backlog of 1,000,000 finished sagas created 40 days ago (two steps
 * and a signal each), beside the same engine with retention off over the same backlog, measured just before
 * them. PostgreSQL only.
 */
final class RetentionBench {

    private static final int IN_FLIGHT = 64;

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    RetentionBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    void run() throws Exception {
        int backlog = options.count(1_000_000);
        int steps = options.steps();
        ThroughputBench throughput = new ThroughputBench(db, options, results);
        SagaRetention retention = SagaRetention.KEEP_ALL.keepFinished(Duration.ofDays(30))
                .withInterval(Duration.ofMillis(100));
        try (HikariDataSource pool = db.pool("retention-load", 4)) {
            db.truncate(pool);
            long t0 = System.nanoTime();
            load(pool, backlog);
            Log.info("8. retention: %d finished sagas loaded in %.0f s", backlog, (System.nanoTime() - t0) / 1e9);
            List<Double> off = new ArrayList<>();
            Paced paced = new Paced(retention);
            Paced flatOut = new Paced(retention.withDutyCycle(1));
            for (int round = 1; round <= options.rounds(); round++) {
                double base = throughput.engine(IN_FLIGHT, steps, false, builder -> builder.groupCommit(true));
                off.add(base);
                for (Paced variant : List.of(paced, flatOut)) {
                    long before = expired(pool);
                    long begin = System.nanoTime();
                    double value = throughput.engine(IN_FLIGHT, steps, false,
                            builder -> builder.groupCommit(true).retention(variant.retention()));
                    double deleted = (before - expired(pool)) / ((System.nanoTime() - begin) / 1e9);
                    variant.on().add(value);
                    variant.ratios().add(value / base);
                    variant.deletedPerSecond().add(deleted);
                    Log.info("  round %d, duty cycle %.1f: retention on %.0f/s, off %.0f/s (%.2fx); %.0f finished "
                            + "sagas deleted per second, %d left", round, variant.retention().dutyCycle(), value, base,
                            value / base, deleted, expired(pool));
                }
            }
            for (Paced variant : List.of(paced, flatOut)) {
                results.add("8", f("throughput: %d-step workflows/s, %d in flight, while retention (duty cycle %.1f%s) "
                        + "deletes a backlog of %,d finished sagas", steps, IN_FLIGHT, variant.retention().dutyCycle(),
                        variant == paced ? ", the default" : "", backlog), rate(median(variant.on())),
                        rate(median(off)) + " (retention off, same backlog)",
                        "**" + f("%.2fx", median(variant.ratios())) + "**",
                        f("median of %d rounds; retention deleted %.0f sagas/s (each with 2 steps and a signal) "
                                + "meanwhile", options.rounds(), median(variant.deletedPerSecond())));
            }
        }
    }

    /** A retention setting and its figures, a value per round. */
    private record Paced(SagaRetention retention, List<Double> on, List<Double> ratios, List<Double> deletedPerSecond) {

        Paced(SagaRetention retention) {
            this(retention, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    /** Finished sagas created 40 days ago, with two steps and a signal each, in chunks of 100,000. */
    private static void load(HikariDataSource pool, int backlog) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (int from = 1; from <= backlog; from += 100_000) {
                int to = Math.min(backlog, from + 99_999);
                s.execute("""
                        INSERT INTO %s (id, workflow, workflow_version, status, input, output, cancel_requested,
                                        lease_epoch, created_at, updated_at)
                        SELECT 'old-' || g, 'archived', '1', 'COMPLETED', '"in"', '"out"', FALSE, 1,
                               now() - interval '40 days', now() - interval '40 days'
                        FROM generate_series(%d, %d) AS g""".formatted(BenchDatabase.INSTANCE, from, to));
                s.execute("""
                        INSERT INTO %s (saga_id, seq, name, kind, status, output, attempts, compensation_attempts)
                        SELECT 'old-' || g, q, 'call', 'CALL', 'SUCCEEDED', '"ok"', 1, 0
                        FROM generate_series(%d, %d) AS g CROSS JOIN generate_series(1, 2) AS q"""
                        .formatted(BenchDatabase.STEP, from, to));
                s.execute("""
                        INSERT INTO %s (id, saga_id, name, payload, created_at)
                        SELECT 'signal-' || g, 'old-' || g, 'approval', '{}', now() - interval '40 days'
                        FROM generate_series(%d, %d) AS g""".formatted(BenchDatabase.SIGNAL, from, to));
            }
            s.execute("ANALYZE " + BenchDatabase.INSTANCE + ", " + BenchDatabase.STEP + ", " + BenchDatabase.SIGNAL);
        }
    }

    private static long expired(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE
                        + " WHERE workflow = 'archived'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
