package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.ms;
import static dev.agentsaga.bench.Results.ratio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.bench.Engines.Rests;
import dev.agentsaga.bench.Results.Log;
import dev.agentsaga.bench.Workloads.Item;
import dev.agentsaga.bench.Workloads.StepTimer;

/**
 * 1. One saga at a time: milliseconds per workflow and per step, beside a plain single-row INSERT
 * commit, the engine's own step INSERT run in plain JDBC, and the same workflow written in plain JDBC,
 * all on the same pool. The variants are interleaved one iteration at a time, so that a busy machine
 * slows them all alike; each round is a time box, and the median of the rounds is reported. Then the
 * round trips of one workflow, counted on the wire.
 */
final class SequentialBench {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    SequentialBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    /** Samples of one variant, in nanoseconds. */
    static final class Samples {

        private long[] nanos = new long[1024];

        private int n;

        void add(long value) {
            if (n == nanos.length) {
                nanos = java.util.Arrays.copyOf(nanos, n * 2);
            }
            nanos[n++] = value;
        }

        long[] values() {
            return java.util.Arrays.copyOf(nanos, n);
        }

        int size() {
            return n;
        }
    }

    /** What one round measured, in milliseconds. */
    record Round(double insertP50, double insertMean, double fencedP50, double unlockedP50, double plainP50, double stepP50,
            double stepMean, double restedP50, double restedP99, double awaitP50, double awaitP99, int sagas,
            double engineCpuMicros, double plainCpuMicros, double insertCpuMicros) {
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory
            .getThreadMXBean();

    /** CPU time of the engine's own threads (workers, poller, attempt threads) so far. */
    static long engineThreadsCpu() {
        long sum = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("agent-saga-")) {
                long cpu = THREADS.getThreadCpuTime(thread.getId());
                sum += Math.max(0, cpu);
            }
        }
        return sum;
    }

    void run() throws Exception {
        int steps = options.steps();
        int rounds = Math.max(3, options.rounds());
        long budget = (long) ((options.seconds() + 1) * options.scale() * 1e9);
        Log.info("1. sequential: %d-step workflows one at a time, %d rounds of %.1f s", steps, rounds, budget / 1e9);
        try (HikariDataSource pool = db.pool("sequential", 10)) {
            db.truncate(pool);
            Baseline baseline = new Baseline(pool);
            Rests rests = new Rests();
            SagaEngine engine = Engines.build(pool, 8, steps, rests);
            engine.startup();
            List<Round> measured = new ArrayList<>();
            try {
                warmUp(engine, baseline, steps, options.count(5000));
                for (int r = 1; r <= rounds; r++) {
                    Round round = round(engine, rests, baseline, steps, budget);
                    measured.add(round);
                    Log.info("  round %d (%d sagas): p50 INSERT %.3f ms, engine's step INSERT in plain JDBC %.3f ms "
                            + "(without FOR SHARE %.3f ms), "
                            + "engine step %.3f ms (mean %.3f vs INSERT %.3f); workflow: plain %.3f ms, "
                            + "start->rested %.3f ms (p99 %.1f), start->awaitOutput %.3f ms (p99 %.1f); JVM CPU per "
                            + "workflow: engine %.0f us, plain %.0f us", r,
                            round.sagas(), round.insertP50(), round.fencedP50(), round.unlockedP50(), round.stepP50(),
                            round.stepMean(),
                            round.insertMean(), round.plainP50(), round.restedP50(), round.restedP99(),
                            round.awaitP50(), round.awaitP99(), round.engineCpuMicros(), round.plainCpuMicros());
                }
            }
            finally {
                Engines.shutdown(engine);
            }
            report(measured, steps);
            countRoundTrips(pool, steps);
        }
    }

    private void report(List<Round> rounds, int steps) {
        int sagas = rounds.stream().mapToInt(Round::sagas).sum();
        String rs = f("p50; median of %d interleaved rounds, %,d engine sagas in all", rounds.size(), sagas);
        double step = median(rounds.stream().map(Round::stepP50).toList());
        double insert = median(rounds.stream().map(Round::insertP50).toList());
        double fenced = median(rounds.stream().map(Round::fencedP50).toList());
        double unlocked = median(rounds.stream().map(Round::unlockedP50).toList());
        double stepMean = median(rounds.stream().map(Round::stepMean).toList());
        double insertMean = median(rounds.stream().map(Round::insertMean).toList());
        results.add("1", "sequential: ms per step (time in `saga.step`, COMPENSABLE no-op, 70 B JSON)", ms(step),
                ms(insert) + " INSERT+commit", "**" + ratio(step, insert) + "**",
                rs + f("; means %s vs %s = %s", ms(stepMean), ms(insertMean), ratio(stepMean, insertMean)));
        results.add("1", "sequential: the engine's step INSERT (fenced by the lease) run in plain JDBC", ms(fenced),
                ms(insert) + " INSERT+commit", ratio(fenced, insert),
                f("the statement's share; the engine's Java adds %s per step. Without `FOR SHARE` in its lease "
                        + "check: %s (%s)", ms(step - fenced), ms(unlocked), ratio(unlocked, insert)));
        double engineCpu = median(rounds.stream().map(Round::engineCpuMicros).toList());
        double plainCpu = median(rounds.stream().map(Round::plainCpuMicros).toList());
        double insertCpu = median(rounds.stream().map(Round::insertCpuMicros).toList());
        results.add("1", f("JVM CPU per %d-step workflow (engine threads + `start`; not the database's)", steps),
                f("%.0f µs", engineCpu), f("%.0f µs plain JDBC workflow", plainCpu), ratio(engineCpu, plainCpu),
                f("≈ %.0f µs per step vs %.0f µs per plain INSERT: CPU time, so less sensitive to a busy machine",
                        engineCpu / steps, insertCpu));
        double plain = median(rounds.stream().map(Round::plainP50).toList());
        double rested = median(rounds.stream().map(Round::restedP50).toList());
        results.add("1", f("sequential: ms per %d-step workflow, `start` -> rested (observer)", steps),
                ms(rested) + f(" (p99 %s)", ms(median(rounds.stream().map(Round::restedP99).toList()))),
                ms(plain) + f(" plain JDBC (%d commits)", steps + 2), ratio(rested, plain),
                f("= %s per step incl. start and finish", ms(rested / steps)));
        double await = median(rounds.stream().map(Round::awaitP50).toList());
        results.add("1", f("sequential: ms per %d-step workflow, `start` + `awaitOutput`", steps),
                ms(await) + f(" (p99 %s)", ms(median(rounds.stream().map(Round::awaitP99).toList()))),
                ms(plain) + " plain JDBC", ratio(await, plain), "what a caller waiting for the output sees");
    }

    /**
     * Warms up the JIT, the pool and the server-side prepared statements: 4 threads run engine sagas
     * and 4 threads plain workflows, until {@code sagas} sagas are done (at most 20 s, scaled); the
     * engine's path is long enough that C2 needs thousands of sagas, more so on a busy machine.
     */
    private void warmUp(SagaEngine engine, Baseline baseline, int steps, int sagas) throws Exception {
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        long end = System.nanoTime() + (long) (20e9 * Math.min(1, options.scale()));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            boolean plain = i % 2 == 1;
            Thread thread = new Thread(() -> {
                try {
                    String leased = baseline.leasedInstance();
                    String leasedToo = baseline.leasedInstance();
                    int seq = 0;
                    while (done.get() < sagas && System.nanoTime() < end) {
                        if (plain) {
                            baseline.workflow(steps);
                            baseline.insertStep(UUID.randomUUID().toString(), 1);
                            baseline.engineStepInsert(leased, ++seq);
                            baseline.engineStepInsertWithoutLock(leasedToo, seq);
                        }
                        else {
                            engine.start(Workloads.STEPS, Workloads.ITEM).awaitOutput(Item.class, TIMEOUT);
                            done.incrementAndGet();
                        }
                    }
                }
                catch (Exception ex) {
                    Log.info("warm-up failed: %s", ex);
                }
            }, "bench-warm-up-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Log.info("  warm-up: %,d sagas", done.get());
    }

    /** One time box in which every variant takes its turn, iteration by iteration. */
    private Round round(SagaEngine engine, Rests rests, Baseline baseline, int steps, long budget) throws Exception {
        Samples insert = new Samples();
        Samples fenced = new Samples();
        Samples unlocked = new Samples();
        Samples plain = new Samples();
        Samples rested = new Samples();
        Samples awaited = new Samples();
        String plainSaga = UUID.randomUUID().toString();
        String leased = baseline.leasedInstance();
        String leasedToo = baseline.leasedInstance();
        int seq = 0;
        StepTimer.reset();
        Thread.sleep(50);
        rests.rested.drainPermits();
        long engineCpu0 = engineThreadsCpu();
        long mainEngineCpu = 0;
        long plainCpu = 0;
        long insertCpu = 0;
        long end = System.nanoTime() + budget;
        while (System.nanoTime() < end || rested.size() < 10) {
            for (int i = 0; i < steps; i++) {
                seq++;
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                baseline.insertStep(plainSaga, seq);
                insert.add(System.nanoTime() - t0);
                insertCpu += THREADS.getCurrentThreadCpuTime() - c0;
                t0 = System.nanoTime();
                baseline.engineStepInsert(leased, seq);
                fenced.add(System.nanoTime() - t0);
                t0 = System.nanoTime();
                baseline.engineStepInsertWithoutLock(leasedToo, seq);
                unlocked.add(System.nanoTime() - t0);
            }
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            engine.start(Workloads.STEPS, Workloads.ITEM);
            mainEngineCpu += THREADS.getCurrentThreadCpuTime() - c0;
            if (!rests.await(1, TIMEOUT)) {
                throw new IllegalStateException("A saga did not rest within " + TIMEOUT);
            }
            rested.add(System.nanoTime() - t0);
            c0 = THREADS.getCurrentThreadCpuTime();
            t0 = System.nanoTime();
            baseline.workflow(steps);
            plain.add(System.nanoTime() - t0);
            plainCpu += THREADS.getCurrentThreadCpuTime() - c0;
            c0 = THREADS.getCurrentThreadCpuTime();
            t0 = System.nanoTime();
            SagaHandle handle = engine.start(Workloads.STEPS, Workloads.ITEM);
            mainEngineCpu += THREADS.getCurrentThreadCpuTime() - c0;
            handle.awaitOutput(Item.class, TIMEOUT);
            awaited.add(System.nanoTime() - t0);
            // the awaited saga's rest is counted too; it is not the next saga's
            rests.await(1, TIMEOUT);
        }
        if (rests.other.sum() > 0) {
            throw new IllegalStateException(rests.other.sum() + " sagas did not complete; see the log");
        }
        long engineCpu = engineThreadsCpu() - engineCpu0 + mainEngineCpu;
        int sagas = rested.size() + awaited.size();
        long[] step = StepTimer.samples();
        return new Round(p50(insert.values()), Results.meanMillis(insert.values()), p50(fenced.values()),
                p50(unlocked.values()),
                p50(plain.values()), p50(step), StepTimer.meanMillis(), p50(rested.values()),
                Results.percentileMillis(rested.values(), 99), p50(awaited.values()),
                Results.percentileMillis(awaited.values(), 99), sagas, engineCpu / 1e3 / sagas,
                plainCpu / 1e3 / plain.size(), insertCpu / 1e3 / insert.size());
    }

    private static double p50(long[] nanos) {
        return Results.percentileMillis(nanos, 50);
    }

    /** Round trips of one workflow, counted by a proxy on the data source (untimed). */
    private void countRoundTrips(HikariDataSource pool, int steps) throws Exception {
        CountingDataSource counting = new CountingDataSource(pool);
        Rests rests = new Rests();
        SagaEngine engine = Engines.build(counting, 8, steps, rests);
        engine.startup();
        try {
            int n = 50;
            observerLoop(engine, rests, 5);
            counting.reset();
            observerLoop(engine, rests, n);
            String engineCounts = counts(counting, n);
            counting.reset();
            for (int i = 0; i < n; i++) {
                engine.start(Workloads.STEPS, Workloads.ITEM).awaitOutput(Item.class, TIMEOUT);
            }
            String awaitCounts = counts(counting, n);
            CountingDataSource plainCounting = new CountingDataSource(pool);
            Baseline plain = new Baseline(plainCounting);
            plain.workflow(steps);
            String plainCounts = counts(plainCounting, 1);
            results.add("1", "round trips per workflow: statements / of which reads / transactions",
                    engineCounts + " (`start` -> rested); " + awaitCounts + " with `awaitOutput`", plainCounts
                            + " plain JDBC", "", "counted by a JDBC proxy, poller and heartbeat included, "
                            + f("averaged over %d sagas", n));
        }
        finally {
            Engines.shutdown(engine);
        }
    }

    private static String counts(CountingDataSource counting, int n) {
        return f("%.1f / %.1f / %.1f", counting.statements.sum() / (double) n, counting.reads.sum() / (double) n,
                counting.commits.sum() / (double) n);
    }

    /** Starts one saga and waits for it to rest (no saga of anyone else may be in flight). */
    static void runOne(SagaEngine engine, Rests rests) throws Exception {
        engine.start(Workloads.STEPS, Workloads.ITEM);
        if (!rests.await(1, TIMEOUT)) {
            throw new IllegalStateException("A saga did not rest within " + TIMEOUT);
        }
    }

    /** Starts {@code n} sagas one at a time, each awaited through the observer; for warm-ups and counts. */
    static void observerLoop(SagaEngine engine, Rests rests, int n) throws Exception {
        Thread.sleep(50);
        rests.rested.drainPermits();
        for (int i = 0; i < n; i++) {
            engine.start(Workloads.STEPS, Workloads.ITEM);
            if (!rests.await(1, TIMEOUT)) {
                throw new IllegalStateException("A saga did not rest within " + TIMEOUT);
            }
        }
        if (rests.other.sum() > 0) {
            throw new IllegalStateException(rests.other.sum() + " sagas did not complete; see the log");
        }
    }
}
