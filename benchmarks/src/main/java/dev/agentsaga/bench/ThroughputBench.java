package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.rate;
import static dev.agentsaga.bench.Results.ratio;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.bench.Engines.Rests;
import dev.agentsaga.bench.Results.Log;

/**
 * 2. Workflows per second with 8, 64 and 512 sagas in flight (workers = in flight, pool =
 * min(in flight, 32) + 2), beside 8 plain-JDBC threads each committing the same single-row INSERTs.
 */
final class ThroughputBench {

    /** Threads that call {@code start}; each takes a permit first, and a rest gives it back. */
    private static final int DRIVERS = 4;

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    ThroughputBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    static int poolSize(int inFlight) {
        return Math.min(inFlight, 32) + 2;
    }

    void run() throws Exception {
        int steps = options.steps();
        Log.info("2. throughput: %d-step workflows, %s in flight, %.1f s windows", steps, options.inFlight(),
                options.seconds());
        List<Double> plainWorkflow = new ArrayList<>();
        List<Level> levels = options.inFlight().stream().map(Level::new).toList();
        for (int round = 1; round <= options.rounds(); round++) {
            plainWorkflow.add(plain(8, steps, true));
            List<String> line = new ArrayList<>();
            for (Level level : levels) {
                int n = level.inFlight();
                // each engine figure has its own baseline, measured just before it
                double base = plain(8, steps, false);
                double value = engine(n, steps, true, builder -> builder.groupCommit(true));
                double off = engine(n, steps, true, builder -> builder.groupCommit(false));
                level.plain().add(base);
                level.engine().add(value);
                level.ratios().add(value / base);
                level.ungrouped().add(off);
                level.ungroupedRatios().add(off / base);
                line.add(f("%d in flight %.0f/s (group commit off %.0f/s) vs plain %.0f/s", n, value, off, base));
            }
            Log.info("  round %d: %s; plain workflow with start+finish %.0f/s", round, String.join(", ", line),
                    plainWorkflow.get(round - 1));
        }
        double baseWorkflow = median(plainWorkflow);
        String rounds = f("median of %d rounds of %.0f s, each beside its own baseline", options.rounds(),
                options.seconds());
        for (Level level : levels) {
            int n = level.inFlight();
            double value = median(level.engine());
            double base = median(level.plain());
            results.add("2", f("throughput: %d-step workflows/s, %d in flight (%d workers, pool %d)", steps, n, n,
                    poolSize(n)), rate(value), rate(base) + f(" (8 threads x %d INSERTs)", steps),
                    "**" + f("%.2fx", median(level.ratios())) + "**",
                    f("%s; vs a plain workflow with start+finish (%s): %s", rounds, rate(baseWorkflow),
                            ratio(value, baseWorkflow)));
        }
        for (Level level : levels) {
            int n = level.inFlight();
            double value = median(level.ungrouped());
            results.add("2", f("the same, %d in flight, with group commit off (`groupCommit(false)`)", n), rate(value),
                    rate(median(level.plain())) + f(" (8 threads x %d INSERTs)", steps),
                    f("%.2fx", median(level.ungroupedRatios())), "one commit per journal write");
        }
    }

    /** The figures of one concurrency level, a value per round. */
    private record Level(int inFlight, List<Double> plain, List<Double> engine, List<Double> ratios,
            List<Double> ungrouped, List<Double> ungroupedRatios) {

        Level(int inFlight) {
            this(inFlight, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
        }
    }

    /** Plain JDBC: {@code threads} threads, each running "workflows" of {@code steps} INSERT commits. */
    private double plain(int threads, int steps, boolean withStartAndFinish) throws Exception {
        try (HikariDataSource pool = db.pool("plain-" + threads, poolSize(threads))) {
            db.truncate(pool);
            Baseline baseline = new Baseline(pool);
            LongAdder done = new LongAdder();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread thread = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            if (withStartAndFinish) {
                                baseline.workflow(steps);
                            }
                            else {
                                baseline.stepsOnly(steps);
                            }
                            done.increment();
                        }
                    }
                    catch (Exception ex) {
                        Log.info("plain worker failed: %s", ex);
                    }
                }, "plain-" + i);
                thread.start();
                workers.add(thread);
            }
            double rate = window(done, 500);
            stop.set(true);
            for (Thread thread : workers) {
                thread.join();
            }
            return rate;
        }
    }

    /**
     * Workflows per second of the engine with {@code inFlight} sagas in flight, built as {@code customize}
     * makes it; on emptied tables when {@code truncate}, else beside what they hold.
     */
    double engine(int inFlight, int steps, boolean truncate, UnaryOperator<AgentSaga.Builder> customize)
            throws Exception {
        return engine(inFlight, steps, truncate, customize, null);
    }

    /**
     * As {@link #engine(int, int, boolean, UnaryOperator)}; with {@code counts}, the engine's database calls go
     * through a counting proxy, and {@code counts} receives them per completed saga: statements, transactions.
     */
    double engine(int inFlight, int steps, boolean truncate, UnaryOperator<AgentSaga.Builder> customize,
            @Nullable List<double[]> counts) throws Exception {
        try (HikariDataSource pool = db.pool("engine-" + inFlight, poolSize(inFlight))) {
            if (truncate) {
                db.truncate(pool);
            }
            Rests rests = new Rests();
            CountingDataSource counting = counts == null ? null : new CountingDataSource(pool);
            SagaEngine engine = customize.apply(Engines.builder(counting != null ? counting : pool, inFlight, steps,
                    rests)).build();
            engine.startup();
            Semaphore inFlightPermits = new Semaphore(inFlight);
            AtomicBoolean stop = new AtomicBoolean();
            // a rest hands its permit back
            Thread returner = new Thread(() -> {
                try {
                    while (!stop.get() || inFlightPermits.availablePermits() < inFlight) {
                        if (rests.rested.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            inFlightPermits.release();
                        }
                        else if (stop.get()) {
                            break;
                        }
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-returner");
            returner.start();
            List<Thread> drivers = new ArrayList<>();
            for (int i = 0; i < DRIVERS; i++) {
                Thread driver = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            if (!inFlightPermits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                            try {
                                engine.start(Workloads.STEPS, Workloads.ITEM);
                            }
                            catch (RuntimeException ex) {
                                inFlightPermits.release();
                                Log.info("start failed: %s", ex);
                            }
                        }
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }, "bench-driver-" + i);
                driver.start();
                drivers.add(driver);
            }
            try {
                return window(rests.completed, (long) (options.seconds() * 500));
            }
            finally {
                stop.set(true);
                for (Thread driver : drivers) {
                    driver.join();
                }
                // let the sagas in flight finish before the engine stops
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (inFlightPermits.availablePermits() < inFlight && System.nanoTime() < deadline) {
                    if (rests.rested.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        inFlightPermits.release();
                    }
                }
                returner.join();
                Engines.shutdown(engine);
                if (counting != null && counts != null) {
                    double sagas = Math.max(1, rests.completed.sum());
                    counts.add(new double[] { counting.statements.sum() / sagas, counting.commits.sum() / sagas });
                    Log.info("    per completed saga, by statement: %s", counting.byKind.entrySet().stream()
                            .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                            .map(e -> f("%s %.2f", e.getKey(), e.getValue().sum() / sagas))
                            .collect(java.util.stream.Collectors.joining(", ")));
                }
                if (rests.other.sum() > 0) {
                    throw new IllegalStateException(rests.other.sum() + " sagas did not complete; see the log");
                }
            }
        }
    }

    /** Warms up, then counts completions over the window; per second. */
    private double window(LongAdder done, long warmMillis) throws InterruptedException {
        Thread.sleep(Math.max(500, warmMillis));
        long c0 = done.sum();
        long t0 = System.nanoTime();
        Thread.sleep((long) (options.seconds() * 1000));
        long c1 = done.sum();
        long t1 = System.nanoTime();
        return (c1 - c0) / ((t1 - t0) / 1e9);
    }
}
