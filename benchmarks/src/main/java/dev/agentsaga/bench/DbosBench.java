package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.ms;
import static dev.agentsaga.bench.Results.rate;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbos.transact.DBOS;
import dev.dbos.transact.workflow.WorkflowHandle;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.bench.Engines.Rests;
import dev.agentsaga.bench.Results.Log;
import dev.agentsaga.bench.SequentialBench.Samples;
import dev.agentsaga.bench.Workloads.Item;

/**
 * 10. agent-saga beside DBOS Transact for Java and the plain-JDBC floor, on the same workload (a workflow of
 * {@code --steps} durable no-op steps with the 70-byte item), the same server and the same pool size, in interleaved
 * rounds: in each round every figure is measured for the floor, DBOS and agent-saga one after the other, and each
 * figure reported is the median of the rounds. DBOS keeps its system tables in a schema of its own
 * ({@code <run schema>_dbos}) in the same database, over a Hikari pool handed to it as its data source.
 * <ul>
 * <li>one workflow at a time, from start to its result, iteration by iteration in turn;</li>
 * <li>8 and 64 client threads, each starting a workflow and waiting for its result, in a loop;</li>
 * <li>8 and 64 workflows in flight with no caller waiting: agent-saga counted by its observer (as in 2. throughput),
 * DBOS by collector threads that take the handles in the order of their start and call {@code getResult()}, which
 * for a workflow started in this process waits on its in-memory future.</li>
 * </ul>
 */
final class DbosBench {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The client threads of the closed loops, and the workflows in flight of the open ones. */
    private static final List<Integer> LEVELS = List.of(8, 64);

    /** DBOS's tables that grow with every workflow: analyzed as autovacuum would (see {@link BenchDatabase}). */
    private static final String[] DBOS_TABLES = { "workflow_status", "operation_outputs" };

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    private final String dbosSchema;

    DbosBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
        this.dbosSchema = db.schema() + "_dbos";
    }

    /** A launched DBOS instance on a pool of its own from the run's database, its tables emptied first. */
    private DbosInstance dbos(String name, int poolSize) throws SQLException {
        return dbos(name, poolSize, true);
    }

    /** A launched DBOS instance on a pool of its own from the run's database, its tables emptied when {@code truncate}. */
    private DbosInstance dbos(String name, int poolSize, boolean truncate) throws SQLException {
        HikariDataSource pool = db.pool(name, poolSize);
        return new DbosInstance(pool, pool, dbosSchema, options.steps(), truncate);
    }

    /** A variant of a closed loop: one workflow from its start to its result. */
    @FunctionalInterface
    private interface Call {

        void run() throws Exception;
    }

    /** What a closed loop measured: workflows per second, and each workflow's time from start to result. */
    private record Closed(double rate, double p50, double p99) {
    }

    /** The figures of one level (client threads or workflows in flight), a value per round. */
    private record Level(int n, List<Closed> plain, List<Closed> dbos, List<Closed> saga, List<Double> dbosOpen,
            List<Double> dbosHeld, List<Double> sagaOpen) {

        Level(int n) {
            this(n, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
        }
    }

    /** What an open loop of DBOS measured: workflows per second, and the mean number of workflows in flight. */
    private record Open(double rate, double held) {
    }

    /**
     * The threads that start DBOS workflows in the open loop, and as many that collect their handles: 4 (as the
     * throughput benchmark's drivers) up to 16 in flight, one per 4 in flight above. DBOS's {@code startWorkflow}
     * commits the workflow's row on the calling thread, in competition for the pool with the workflows running: 4
     * threads kept only about 28 of 64 workflows in flight, 16 keep 64.
     */
    static int dbosThreads(int inFlight) {
        return Math.max(4, inFlight / 4);
    }

    /** One round of one workflow at a time: each variant's time from start to result, in nanoseconds. */
    private record Sequential(long[] plain, long[] dbos, long[] saga) {
    }

    void run() throws Exception {
        int steps = options.steps();
        Log.info("10. dbos: %d-step workflows of DBOS Transact %s (schema %s) beside agent-saga and plain JDBC; "
                + "%d rounds, %.1f s windows", steps, DBOS.version(), dbosSchema, options.rounds(), options.seconds());
        try {
            // the first launch creates DBOS's schema and tables (its migrations)
            try (DbosInstance setup = dbos("dbos-setup", 2, false)) {
                Log.info("  DBOS's tables are in schema %s; a first workflow returned %s", dbosSchema, setup.run());
            }
            db.analyzeAlso(dbosSchema, DBOS_TABLES);
            warmUp();
            List<Sequential> sequential = new ArrayList<>();
            List<Level> levels = LEVELS.stream().map(Level::new).toList();
            ThroughputBench throughput = new ThroughputBench(db, options, results);
            for (int round = 1; round <= options.rounds(); round++) {
                Sequential one = sequential();
                sequential.add(one);
                List<String> line = new ArrayList<>();
                line.add(f("one at a time p50 plain %.3f / DBOS %.3f / agent-saga %.3f ms", p50(one.plain()),
                        p50(one.dbos()), p50(one.saga())));
                for (Level level : levels) {
                    int n = level.n();
                    Closed plain = plainClosed(n);
                    Closed dbos = dbosClosed(n);
                    Closed saga = sagaClosed(n);
                    level.plain().add(plain);
                    level.dbos().add(dbos);
                    level.saga().add(saga);
                    line.add(f("%d threads plain %.0f/s, DBOS %.0f/s, agent-saga %.0f/s", n, plain.rate(), dbos.rate(),
                            saga.rate()));
                }
                for (Level level : levels) {
                    int n = level.n();
                    Open dbos = dbosOpen(n);
                    double saga = throughput.engine(n, steps, true, builder -> builder);
                    level.dbosOpen().add(dbos.rate());
                    level.dbosHeld().add(dbos.held());
                    level.sagaOpen().add(saga);
                    line.add(f("%d in flight DBOS %.0f/s (%.1f in flight on average), agent-saga %.0f/s", n,
                            dbos.rate(), dbos.held(), saga));
                }
                Log.info("  round %d: %s", round, String.join("; ", line));
            }
            report(sequential, levels);
            countRoundTrips();
        }
        finally {
            if (!options.keepSchema()) {
                try (HikariDataSource pool = db.pool("dbos-drop", 1)) {
                    BenchDatabase.execute(pool, "DROP SCHEMA IF EXISTS \"" + dbosSchema + "\" CASCADE");
                }
                catch (SQLException ex) {
                    Log.info("could not drop schema %s: %s", dbosSchema, ex.getMessage());
                }
            }
            else {
                Log.info("kept schema %s", dbosSchema);
            }
        }
    }

    /** 8 threads run the three variants in turn, up to 2,000 workflows of each or 20 s (times --scale). */
    private void warmUp() throws Exception {
        int each = options.count(2000);
        try (HikariDataSource plainPool = db.pool("dbos-warm-plain", 10);
                DbosInstance dbos = dbos("dbos-warm-dbos", 10);
                HikariDataSource sagaPool = db.pool("dbos-warm-saga", 10)) {
            db.truncate(sagaPool);
            Baseline baseline = new Baseline(plainPool);
            SagaEngine engine = Engines.build(sagaPool, 8, options.steps(), new Rests());
            engine.startup();
            long deadline = System.nanoTime() + (long) (20e9 * options.scale());
            try {
                LongAdder done = new LongAdder();
                List<Thread> threads = new ArrayList<>();
                AtomicReference<Exception> failure = new AtomicReference<>();
                for (int i = 0; i < 8; i++) {
                    Thread thread = new Thread(() -> {
                        try {
                            while (done.sum() < each && System.nanoTime() < deadline) {
                                baseline.workflow(options.steps());
                                dbos.run();
                                engine.start(Workloads.STEPS, Workloads.ITEM).awaitOutput(Item.class, TIMEOUT);
                                done.increment();
                            }
                        }
                        catch (Exception ex) {
                            failure.compareAndSet(null, ex);
                        }
                    }, "bench-dbos-warm-up-" + i);
                    thread.start();
                    threads.add(thread);
                }
                for (Thread thread : threads) {
                    thread.join();
                }
                if (failure.get() != null) {
                    throw failure.get();
                }
                Log.info("  warm-up: %,d workflows of each", done.sum());
            }
            finally {
                Engines.shutdown(engine);
            }
        }
    }

    /**
     * One time box ({@code --seconds} + 1 s, times --scale) in which the plain workflow, DBOS and agent-saga take
     * their turns one workflow at a time, each on a pool of 10 (agent-saga with its default 8 workers).
     */
    private Sequential sequential() throws Exception {
        int steps = options.steps();
        long budget = (long) ((options.seconds() + 1) * options.scale() * 1e9);
        try (HikariDataSource plainPool = db.pool("dbos-seq-plain", 10);
                DbosInstance dbos = dbos("dbos-seq-dbos", 10);
                HikariDataSource sagaPool = db.pool("dbos-seq-saga", 10)) {
            db.truncate(sagaPool);
            Baseline baseline = new Baseline(plainPool);
            SagaEngine engine = Engines.build(sagaPool, 8, steps, new Rests());
            engine.startup();
            try {
                // untimed: the fresh pools' connections prepare their statements
                for (int i = 0; i < 20; i++) {
                    baseline.workflow(steps);
                    dbos.run();
                    engine.start(Workloads.STEPS, Workloads.ITEM).awaitOutput(Item.class, TIMEOUT);
                }
                Samples plain = new Samples();
                Samples dbosTimes = new Samples();
                Samples saga = new Samples();
                long end = System.nanoTime() + budget;
                while (System.nanoTime() < end || saga.size() < 10) {
                    long t0 = System.nanoTime();
                    baseline.workflow(steps);
                    plain.add(System.nanoTime() - t0);
                    t0 = System.nanoTime();
                    dbos.run();
                    dbosTimes.add(System.nanoTime() - t0);
                    t0 = System.nanoTime();
                    engine.start(Workloads.STEPS, Workloads.ITEM).awaitOutput(Item.class, TIMEOUT);
                    saga.add(System.nanoTime() - t0);
                }
                return new Sequential(plain.values(), dbosTimes.values(), saga.values());
            }
            finally {
                Engines.shutdown(engine);
            }
        }
    }

    /** {@code threads} threads each running the plain-JDBC workflow (7 commits) in a loop, on a pool of the size. */
    private Closed plainClosed(int threads) throws Exception {
        try (HikariDataSource pool = db.pool("dbos-plain-" + threads, ThroughputBench.poolSize(threads))) {
            db.truncate(pool);
            Baseline baseline = new Baseline(pool);
            return closedLoop(threads, () -> baseline.workflow(options.steps()));
        }
    }

    /** {@code threads} threads each starting a DBOS workflow and waiting for its result ({@code getResult()}). */
    private Closed dbosClosed(int threads) throws Exception {
        try (DbosInstance dbos = dbos("dbos-dbos-" + threads, ThroughputBench.poolSize(threads))) {
            return closedLoop(threads, dbos::run);
        }
    }

    /**
     * {@code threads} threads each calling {@code start} and {@code awaitOutput}; the engine has as many workers as
     * threads, as in the throughput benchmark.
     */
    private Closed sagaClosed(int threads) throws Exception {
        try (HikariDataSource pool = db.pool("dbos-saga-" + threads, ThroughputBench.poolSize(threads))) {
            db.truncate(pool);
            SagaEngine engine = Engines.build(pool, threads, options.steps(), new Rests());
            engine.startup();
            try {
                return closedLoop(threads, () -> engine.start(Workloads.STEPS, Workloads.ITEM)
                        .awaitOutput(Item.class, TIMEOUT));
            }
            finally {
                Engines.shutdown(engine);
            }
        }
    }

    /**
     * Runs {@code call} in a loop on {@code threads} threads: a warm-up of half the window, then the window. Counts
     * the workflows that end inside the window, and the time of each that starts and ends inside it.
     */
    private Closed closedLoop(int threads, Call call) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long[] window = { Long.MAX_VALUE, Long.MAX_VALUE };
        Object lock = new Object();
        LongAdder done = new LongAdder();
        List<Samples> samples = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (int i = 0; i < threads; i++) {
            Samples mine = new Samples();
            samples.add(mine);
            Thread thread = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        call.run();
                        long t1 = System.nanoTime();
                        long from;
                        long to;
                        synchronized (lock) {
                            from = window[0];
                            to = window[1];
                        }
                        if (t1 >= from && t1 <= to) {
                            done.increment();
                            if (t0 >= from) {
                                mine.add(t1 - t0);
                            }
                        }
                    }
                }
                catch (Exception ex) {
                    failure.compareAndSet(null, ex);
                }
            }, "bench-client-" + i);
            thread.start();
            workers.add(thread);
        }
        long t0;
        long t1;
        try {
            Thread.sleep(Math.max(500, (long) (options.seconds() * 500)));
            t0 = System.nanoTime();
            synchronized (lock) {
                window[0] = t0;
            }
            Thread.sleep((long) (options.seconds() * 1000));
            t1 = System.nanoTime();
            synchronized (lock) {
                window[1] = t1;
            }
        }
        finally {
            stop.set(true);
            for (Thread thread : workers) {
                thread.join();
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        Samples all = new Samples();
        for (Samples mine : samples) {
            for (long value : mine.values()) {
                all.add(value);
            }
        }
        long[] times = all.values();
        return new Closed(done.sum() / ((t1 - t0) / 1e9), Results.percentileMillis(times, 50),
                Results.percentileMillis(times, 99));
    }

    /**
     * DBOS with {@code inFlight} workflows in flight and no caller waiting for each: {@link #dbosThreads} threads
     * start workflows while fewer than {@code inFlight} are in flight, and as many take their handles in the order of
     * their start and call {@code getResult()} (for a workflow started in this process, a wait on its in-memory
     * future, no query), each result giving a permit back. Workflows per second, on a pool of
     * {@code min(in flight, 32) + 2} connections.
     */
    private Open dbosOpen(int inFlight) throws Exception {
        int threads = dbosThreads(inFlight);
        try (DbosInstance dbos = dbos("dbos-open-" + inFlight, ThroughputBench.poolSize(inFlight))) {
            DbosInstance.RETURNED.reset();
            Semaphore permits = new Semaphore(inFlight);
            LinkedBlockingQueue<WorkflowHandle<Item, RuntimeException>> handles = new LinkedBlockingQueue<>();
            LongAdder completed = new LongAdder();
            LongAdder failed = new LongAdder();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> collectors = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread collector = new Thread(() -> {
                    try {
                        while (!stop.get() || !handles.isEmpty() || permits.availablePermits() < inFlight) {
                            WorkflowHandle<Item, RuntimeException> handle = handles.poll(100, TimeUnit.MILLISECONDS);
                            if (handle == null) {
                                if (stop.get() && handles.isEmpty()) {
                                    break;
                                }
                                continue;
                            }
                            try {
                                handle.getResult();
                                completed.increment();
                            }
                            catch (RuntimeException ex) {
                                if (failed.sum() == 0) {
                                    Log.info("a DBOS workflow failed: %s", ex);
                                }
                                failed.increment();
                            }
                            finally {
                                permits.release();
                            }
                        }
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }, "bench-dbos-collector-" + i);
                collector.start();
                collectors.add(collector);
            }
            List<Thread> drivers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread driver = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                            try {
                                handles.add(dbos.start());
                            }
                            catch (RuntimeException ex) {
                                permits.release();
                                Log.info("DBOS start failed: %s", ex);
                            }
                        }
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }, "bench-dbos-driver-" + i);
                driver.start();
                drivers.add(driver);
            }
            try {
                Thread.sleep(Math.max(500, (long) (options.seconds() * 500)));
                long c0 = completed.sum();
                long t0 = System.nanoTime();
                long end = t0 + (long) (options.seconds() * 1e9);
                // what the in-flight workflows are doing, sampled every 10 ms (a diagnostic for the log)
                long samples = 0;
                long held = 0;
                long queued = 0;
                long returned = 0;
                while (System.nanoTime() < end) {
                    Thread.sleep(10);
                    samples++;
                    held += inFlight - permits.availablePermits();
                    queued += handles.size();
                    returned += DbosInstance.RETURNED.sum() - completed.sum() - failed.sum();
                }
                long c1 = completed.sum();
                long t1 = System.nanoTime();
                Log.info("    DBOS, %d in flight: on average %.1f permits held, %.1f handles not yet taken by a "
                        + "collector, %.1f workflow functions returned and not yet collected", inFlight,
                        held / (double) samples, queued / (double) samples, returned / (double) samples);
                return new Open((c1 - c0) / ((t1 - t0) / 1e9), held / (double) samples);
            }
            finally {
                stop.set(true);
                for (Thread driver : drivers) {
                    driver.join();
                }
                // the workflows in flight finish before DBOS stops
                for (Thread collector : collectors) {
                    collector.join(TimeUnit.SECONDS.toMillis(30));
                }
                if (failed.sum() > 0) {
                    throw new IllegalStateException(failed.sum() + " DBOS workflows failed; see the log");
                }
            }
        }
    }

    private static double p50(long[] nanos) {
        return Results.percentileMillis(nanos, 50);
    }

    private void report(List<Sequential> sequential, List<Level> levels) {
        int steps = options.steps();
        int rounds = sequential.size();
        String how = f("median of %d interleaved rounds (floor, DBOS, agent-saga)", rounds);
        // one at a time
        List<Double> sagaP50 = sequential.stream().map(r -> p50(r.saga())).toList();
        List<Double> dbosP50 = sequential.stream().map(r -> p50(r.dbos())).toList();
        List<Double> plainP50 = sequential.stream().map(r -> p50(r.plain())).toList();
        List<Double> sagaP99 = sequential.stream().map(r -> Results.percentileMillis(r.saga(), 99)).toList();
        List<Double> dbosP99 = sequential.stream().map(r -> Results.percentileMillis(r.dbos(), 99)).toList();
        List<Double> plainP99 = sequential.stream().map(r -> Results.percentileMillis(r.plain(), 99)).toList();
        int workflows = sequential.stream().mapToInt(r -> r.saga().length).sum();
        results.add("10", f("vs DBOS, one workflow at a time: ms per %d-step workflow, start to result, p50 "
                + "(agent-saga `start` + `awaitOutput`, DBOS `startWorkflow` + `getResult()`)", steps),
                ms(median(sagaP50)), "DBOS " + ms(median(dbosP50)) + "; floor " + ms(median(plainP50))
                        + f(" (plain JDBC, %d commits)", steps + 2),
                "**" + f("%.2fx", medianRatio(sagaP50, dbosP50)) + "**",
                lowerBetter(medianRatio(sagaP50, plainP50), medianRatio(dbosP50, plainP50))
                        + f("; %s, %,d workflows of each; pools of 10, agent-saga 8 workers", how, workflows));
        results.add("10", "vs DBOS, one workflow at a time: the same, p99", ms(median(sagaP99)),
                "DBOS " + ms(median(dbosP99)) + "; floor " + ms(median(plainP99)),
                f("%.2fx", medianRatio(sagaP99, dbosP99)),
                lowerBetter(medianRatio(sagaP99, plainP99), medianRatio(dbosP99, plainP99)));
        for (Level level : levels) {
            int n = level.n();
            List<Double> saga = level.saga().stream().map(Closed::rate).toList();
            List<Double> dbos = level.dbos().stream().map(Closed::rate).toList();
            List<Double> plain = level.plain().stream().map(Closed::rate).toList();
            results.add("10", f("vs DBOS, %d client threads each starting a workflow and waiting for its result: "
                    + "workflows/s (higher is better)", n), rate(median(saga)),
                    "DBOS " + rate(median(dbos)) + "; floor " + rate(median(plain)) + f(" (%d threads x plain)", n),
                    "**" + f("%.2fx", medianRatio(saga, dbos)) + "**",
                    f("of the floor: agent-saga %.2fx, DBOS %.2fx; %s of %.0f s; pools of %d, agent-saga %d workers",
                            medianRatio(saga, plain), medianRatio(dbos, plain), how, options.seconds(),
                            ThroughputBench.poolSize(n), n));
            List<Double> sagaLatency = level.saga().stream().map(Closed::p50).toList();
            List<Double> dbosLatency = level.dbos().stream().map(Closed::p50).toList();
            List<Double> plainLatency = level.plain().stream().map(Closed::p50).toList();
            List<Double> sagaTail = level.saga().stream().map(Closed::p99).toList();
            List<Double> dbosTail = level.dbos().stream().map(Closed::p99).toList();
            List<Double> plainTail = level.plain().stream().map(Closed::p99).toList();
            results.add("10", f("vs DBOS, %d client threads: ms per workflow, start to result, p50 / p99", n),
                    ms(median(sagaLatency)) + " / " + ms(median(sagaTail)),
                    "DBOS " + ms(median(dbosLatency)) + " / " + ms(median(dbosTail)) + "; floor "
                            + ms(median(plainLatency)) + " / " + ms(median(plainTail)),
                    f("%.2fx / %.2fx", medianRatio(sagaLatency, dbosLatency), medianRatio(sagaTail, dbosTail)),
                    "p50: " + lowerBetter(medianRatio(sagaLatency, plainLatency),
                            medianRatio(dbosLatency, plainLatency)));
        }
        for (Level level : levels) {
            int n = level.n();
            List<Double> saga = level.sagaOpen();
            List<Double> dbos = level.dbosOpen();
            List<Double> plain = level.plain().stream().map(Closed::rate).toList();
            results.add("10", f("vs DBOS, %d workflows in flight, no caller waiting: workflows/s (higher is better)", n),
                    rate(median(saga)), "DBOS " + rate(median(dbos)) + "; floor " + rate(median(plain))
                            + f(" (%d threads x plain, as above)", n),
                    "**" + f("%.2fx", medianRatio(saga, dbos)) + "**",
                    f("of the floor: agent-saga %.2fx, DBOS %.2fx; agent-saga: 4 drivers, counted by its observer "
                            + "(%d workers, group commit on); DBOS: %d threads starting, %d collecting the handles in "
                            + "start order, %.1f in flight on average; %s", medianRatio(saga, plain),
                            medianRatio(dbos, plain), n, dbosThreads(n), dbosThreads(n), median(level.dbosHeld()),
                            how));
        }
    }

    private static String lowerBetter(double saga, double dbos) {
        return f("of the floor: agent-saga %.2fx, DBOS %.2fx (lower is better)", saga, dbos);
    }

    /** The median of the per-round ratios {@code a[i] / b[i]}. */
    private static double medianRatio(List<Double> a, List<Double> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return median(ratios);
    }

    /** Round trips of one workflow of each, counted by a JDBC proxy on the data source (untimed, one at a time). */
    private void countRoundTrips() throws Exception {
        int n = 50;
        int steps = options.steps();
        HikariDataSource dbosPool = db.pool("dbos-count", 10);
        CountingDataSource dbosCounting = new CountingDataSource(dbosPool);
        String dbosCounts;
        try (DbosInstance dbos = new DbosInstance(dbosPool, dbosCounting, dbosSchema, options.steps(), true)) {
            for (int i = 0; i < 5; i++) {
                dbos.run();
            }
            dbosCounting.reset();
            for (int i = 0; i < n; i++) {
                dbos.run();
            }
            dbosCounts = counts(dbosCounting, n);
            Log.info("  DBOS's statements per workflow: %s", perWorkflow(dbosCounting, n));
        }
        String sagaCounts;
        try (HikariDataSource pool = db.pool("dbos-count-saga", 10)) {
            db.truncate(pool);
            CountingDataSource counting = new CountingDataSource(pool);
            SagaEngine engine = Engines.build(counting, 8, steps, new Rests());
            engine.startup();
            try {
                for (int i = 0; i < 5; i++) {
                    engine.start(Workloads.STEPS, Workloads.ITEM).awaitOutput(Item.class, TIMEOUT);
                }
                counting.reset();
                for (int i = 0; i < n; i++) {
                    engine.start(Workloads.STEPS, Workloads.ITEM).awaitOutput(Item.class, TIMEOUT);
                }
                sagaCounts = counts(counting, n);
                Log.info("  agent-saga's statements per workflow: %s", perWorkflow(counting, n));
            }
            finally {
                Engines.shutdown(engine);
            }
            CountingDataSource plainCounting = new CountingDataSource(pool);
            new Baseline(plainCounting).workflow(steps);
            results.add("10", "vs DBOS, round trips per workflow (start to result): statements / of which reads / "
                    + "transactions", sagaCounts, "DBOS " + dbosCounts + "; plain " + counts(plainCounting, 1), "",
                    f("counted by a JDBC proxy, background pollers included, averaged over %d workflows one at a "
                            + "time", n));
        }
    }

    /** Statements per workflow by their first words, most frequent first. */
    private static String perWorkflow(CountingDataSource counting, int n) {
        return counting.byKind.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .map(e -> f("%s %.1f", e.getKey(), e.getValue().sum() / (double) n))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static String counts(CountingDataSource counting, int n) {
        return f("%.1f / %.1f / %.1f", counting.statements.sum() / (double) n, counting.reads.sum() / (double) n,
                counting.commits.sum() / (double) n);
    }
}
