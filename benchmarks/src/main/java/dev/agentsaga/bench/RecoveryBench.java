package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.rate;
import static dev.agentsaga.bench.Results.ratio;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.bench.Engines.Rests;
import dev.agentsaga.bench.Results.Log;

/**
 * 3. Recovery after kill -9: a child JVM starts 10,000 sagas, its workers block in step 2, it is
 * killed; once its leases have expired a new engine takes them over, first with the default settings
 * (8 workers, 500 ms poll) for a few seconds, then with 64 workers and a 50 ms poll until all are
 * COMPLETED.
 */
final class RecoveryBench {

    private static final int CHILD_WORKERS = 64;

    private static final Duration CHILD_LEASE = Duration.ofSeconds(3);

    private static final double DEFAULT_PHASE_SECONDS = 5;

    private static final int TUNED_WORKERS = 64;

    private static final Duration TUNED_POLL = Duration.ofMillis(50);

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    private final List<String> plans = new ArrayList<>();

    RecoveryBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    List<String> plans() {
        return plans;
    }

    void run() throws Exception {
        int n = options.count(10_000);
        Log.info("3. recovery: %,d sagas in flight on a child JVM that is killed with SIGKILL", n);
        List<Double> defaultRates = new ArrayList<>();
        List<Double> tunedRates = new ArrayList<>();
        List<Double> tunedSeconds = new ArrayList<>();
        List<Double> tuned99 = new ArrayList<>();
        List<Double> claimsPerSaga = new ArrayList<>();
        List<Double> plainRates = new ArrayList<>();
        List<Double> journaled = new ArrayList<>();
        try (HikariDataSource pool = db.pool("recovery", ThroughputBench.poolSize(TUNED_WORKERS))) {
            for (int round = 1; round <= options.rounds(); round++) {
                db.truncate(pool);
                crashChild(pool, n);
                journaled.add((double) BenchDatabase.queryLong(pool, "SELECT COUNT(DISTINCT saga_id) FROM "
                        + BenchDatabase.STEP));

                // phase A: default settings, time-boxed
                Rests rests = new Rests();
                SagaEngine engine = Engines.build(pool, 8, options.steps(), rests);
                long t0 = System.nanoTime();
                engine.startup();
                long endA = t0 + (long) (DEFAULT_PHASE_SECONDS * 1e9);
                while (System.nanoTime() < endA && rests.completed.sum() < n) {
                    Thread.sleep(5);
                }
                long doneA = rests.completed.sum();
                double secondsA = (System.nanoTime() - t0) / 1e9;
                Engines.shutdown(engine);
                defaultRates.add(doneA / secondsA);
                long leftLeased = BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE
                        + " WHERE status <> 'COMPLETED' AND owner IS NOT NULL AND lease_expires_at > now()");
                // phase B: more workers, shorter poll, until every saga is COMPLETED
                long remaining = BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE
                        + " WHERE status <> 'COMPLETED'");
                plainRates.add(plainWorkflows(pool, TUNED_WORKERS));
                if (remaining == 0) {
                    Log.info("  round %d: the default engine recovered all %,d sagas in %.1f s", round, n, secondsA);
                    continue;
                }
                Rests restsB = new Rests();
                // counts the claims (a proxy per connection and statement: a small cost on this engine's side)
                CountingDataSource counting = new CountingDataSource(pool);
                SagaEngine tuned = Engines.builder(counting, TUNED_WORKERS, options.steps(), restsB)
                        .pollInterval(TUNED_POLL).build();
                long t1 = System.nanoTime();
                tuned.startup();
                long deadline = t1 + TimeUnit.SECONDS.toNanos(180);
                double[] marks = { 0.5, 0.9, 0.99, 1.0 };
                double[] at = new double[marks.length];
                boolean dumped = false;
                while (restsB.completed.sum() < remaining && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                    if (!dumped && at[2] > 0 && (System.nanoTime() - t1) / 1e9 > at[2] + 3) {
                        dumped = true;
                        Log.info("  still not COMPLETED 3 s after 99%%: %s", BenchDatabase.queryString(pool,
                                "SELECT (SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE + " WHERE status <> 'COMPLETED')"
                                        + " || ' sagas, e.g. ' || string_agg(s, '; ') FROM (SELECT status || ' owner '"
                                        + " || COALESCE(owner, '-') || ' epoch ' || lease_epoch || ' lease until ' ||"
                                        + " COALESCE(to_char(lease_expires_at, 'HH24:MI:SS'), '-') || ' steps ' || (SELECT"
                                        + " COUNT(*) FROM " + BenchDatabase.STEP + " WHERE saga_id = id) AS s FROM "
                                        + BenchDatabase.INSTANCE + " WHERE status <> 'COMPLETED' LIMIT 5) x")
                                + " (now " + java.time.LocalTime.now().withNano(0) + ")");
                    }
                    long done = restsB.completed.sum();
                    for (int m = 0; m < marks.length; m++) {
                        if (at[m] == 0 && done >= Math.ceil(marks[m] * remaining)) {
                            at[m] = (System.nanoTime() - t1) / 1e9;
                        }
                    }
                }
                double secondsB = (System.nanoTime() - t1) / 1e9;
                at[marks.length - 1] = secondsB;
                Engines.shutdown(tuned);
                long completed = BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE
                        + " WHERE status = 'COMPLETED'");
                if (completed != n) {
                    throw new IllegalStateException("Only " + completed + " of " + n + " sagas completed after recovery");
                }
                // the rate of the bulk (to 99%); the tail can wait for leases the stopped engine left behind
                tunedRates.add(0.99 * remaining / at[2]);
                long claims = counting.byKind.getOrDefault("WITH runnable AS", new LongAdder()).sum();
                claimsPerSaga.add(claims / (double) remaining);
                Log.info("  statements of the recovering engine: %s", new java.util.TreeMap<>(counting.byKind));
                tunedSeconds.add(secondsB);
                tuned99.add(at[2]);
                Log.info("  round %d: %,d journaled mid-flight; defaults %.1f sagas/s (%d in %.1f s, %d left leased "
                        + "at its shutdown); 64 workers/50 ms poll: %,d, 50%% in %.1f s, 90%% in %.1f s, 99%% in %.1f s, "
                        + "all in %.1f s = %.0f sagas/s to 99%%; plain JDBC %.0f workflows/s", round,
                        journaled.get(round - 1).longValue(), defaultRates.get(round - 1), doneA, secondsA, leftLeased,
                        remaining, at[0], at[1], at[2], at[3], tunedRates.get(round - 1), plainRates.get(round - 1));
            }
        }
        double plain = median(plainRates);
        String note = f("median of %d rounds; %,d sagas RUNNING after SIGKILL, %.0f of them with step 1 journaled; "
                + "timed from `startup()` after the %d s leases expired", options.rounds(), n, median(journaled),
                CHILD_LEASE.toSeconds());
        double defaults = median(defaultRates);
        results.add("3", "recovery: sagas/s, default settings (8 workers, poll 500 ms)", rate(defaults),
                rate(plain) + " plain JDBC workflows (64 threads)", ratio(defaults, plain),
                f("first %.0f s only; all %,d would take ~%.0f s. ", DEFAULT_PHASE_SECONDS, n, n / defaults) + note);
        if (tunedRates.isEmpty()) {
            return;
        }
        double tuned = median(tunedRates);
        results.add("3", "recovery: sagas/s, 64 workers, poll 50 ms (the rest, to 99%)", rate(tuned)
                + f(" (99%% in %.1f s, all in %.1f s)", median(tuned99), median(tunedSeconds)),
                rate(plain) + " plain JDBC workflows (64 threads)", ratio(tuned, plain), note
                        + f("; %.2f claim queries per recovered saga", median(claimsPerSaga)));
    }

    /** Runs the child, waits until its sagas are in flight, kills it, and waits for its leases to expire. */
    private void crashChild(HikariDataSource pool, int n) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                RecoveryChild.class.getName(), db.schemaUrl(), Integer.toString(n), Integer.toString(CHILD_WORKERS),
                Long.toString(CHILD_LEASE.toMillis()), "bench-crashed-node");
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            long t0 = System.nanoTime();
            while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                Log.info("  child: %s", line);
            }
            if (line == null) {
                throw new IllegalStateException("The recovery child ended before it was ready (exit "
                        + child.waitFor() + ")");
            }
            Log.info("  child %s after %.1f s: %s; kill -9", child.pid(), (System.nanoTime() - t0) / 1e9, line);
        }
        finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        long running = BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE
                + " WHERE status = 'RUNNING' AND owner = 'bench-crashed-node'");
        if (running != n) {
            throw new IllegalStateException("Expected " + n + " RUNNING sagas of the killed child, found " + running);
        }
        while (BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE
                + " WHERE lease_expires_at >= now()") > 0) {
            Thread.sleep(100);
        }
    }

    /** The same work in plain JDBC (instance INSERT, steps, finish UPDATE) on {@code threads} threads. */
    private double plainWorkflows(HikariDataSource pool, int threads) throws Exception {
        Baseline baseline = new Baseline(pool);
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        baseline.workflow(options.steps());
                        done.increment();
                    }
                }
                catch (Exception ex) {
                    Log.info("plain worker failed: %s", ex);
                }
            });
            thread.start();
            workers.add(thread);
        }
        Thread.sleep(500);
        long c0 = done.sum();
        long t0 = System.nanoTime();
        Thread.sleep(2000);
        double rate = (done.sum() - c0) / ((System.nanoTime() - t0) / 1e9);
        stop.set(true);
        for (Thread thread : workers) {
            thread.join();
        }
        return rate;
    }
}
