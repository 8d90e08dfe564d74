package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.bench.Engines.Rests;
import dev.agentsaga.bench.Results.Log;

/**
 * 5. Memory: heap and threads per saga parked in {@code awaitSignal} (none should be loaded), and per
 * saga running (blocked inside a step, so holding a worker).
 */
final class MemoryBench {

    private static final int RUNNING = 256;

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    MemoryBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    void run() throws Exception {
        int n = options.count(10_000);
        int running = Math.min(RUNNING, n);
        Log.info("5. memory: %,d sagas parked in awaitSignal, %d blocked in a step", n, running);
        List<Double> waitingBytes = new ArrayList<>();
        List<Double> waitingThreads = new ArrayList<>();
        List<Double> runningBytes = new ArrayList<>();
        List<Double> runningThreads = new ArrayList<>();
        List<Double> baseHeap = new ArrayList<>();
        List<Double> baseThreads = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            try (HikariDataSource pool = db.pool("memory", 10)) {
                db.truncate(pool);
                Rests rests = new Rests();
                SagaEngine engine = Engines.build(pool, 8, options.steps(), rests);
                engine.startup();
                try {
                    startAll(engine, Workloads.PARK, options.count(200)); // warm-up
                    awaitWaiting(rests, options.count(200));
                    long heap0 = usedHeap();
                    int threads0 = threads();
                    startAll(engine, Workloads.PARK, n);
                    awaitWaiting(rests, n);
                    long heap1 = usedHeap();
                    int threads1 = threads();
                    long parked = BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE
                            + " WHERE status = 'WAITING'");
                    waitingBytes.add((heap1 - heap0) / (double) n);
                    waitingThreads.add((double) (threads1 - threads0));
                    baseHeap.add(heap0 / 1048576.0);
                    baseThreads.add((double) threads0);
                    Log.info("  round %d: %,d parked (%,d WAITING in the table): heap %,d -> %,d bytes, threads %d -> %d",
                            round, n, parked, heap0, heap1, threads0, threads1);
                }
                finally {
                    Engines.shutdown(engine);
                }
            }
            try (HikariDataSource pool = db.pool("memory-running", 34)) {
                db.truncate(pool);
                Rests rests = new Rests();
                SagaEngine engine = Engines.build(pool, running, options.steps(), rests);
                engine.startup();
                CountDownLatch gate = new CountDownLatch(1);
                Workloads.Gate.BLOCK = gate;
                try {
                    long heap0 = usedHeap();
                    int threads0 = threads();
                    startAll(engine, Workloads.HOLD, running);
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (Workloads.Gate.BLOCKED.get() < running && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    long heap1 = usedHeap();
                    int threads1 = threads();
                    runningBytes.add((heap1 - heap0) / (double) running);
                    runningThreads.add((threads1 - threads0) / (double) running);
                    Log.info("  round %d: %d blocked in a step: heap %,d -> %,d bytes, threads %d -> %d", round,
                            Workloads.Gate.BLOCKED.get(), heap0, heap1, threads0, threads1);
                }
                finally {
                    gate.countDown();
                    Workloads.Gate.BLOCK = new CountDownLatch(0);
                    rests.await(running, Duration.ofSeconds(60));
                    Engines.shutdown(engine);
                }
            }
        }
        String rounds = f("median of %d rounds; used heap after System.gc()", options.rounds());
        results.add("5", f("memory: heap per saga parked in `awaitSignal` (%,d parked)", n),
                f("%,.0f B", median(waitingBytes)), f("%.0f MiB heap before", median(baseHeap)), "",
                rounds + "; nothing of a parked saga stays loaded");
        results.add("5", f("threads: change with %,d sagas parked", n), f("%+.0f", median(waitingThreads)),
                f("%.0f threads before", median(baseThreads)), "", "waiting holds no thread");
        results.add("5", f("memory: heap per running saga (%d blocked inside a step, %d workers)", running, running),
                f("%,.0f B", median(runningBytes)), "", "", rounds);
        results.add("5", "threads per running saga", f("%.2f", median(runningThreads)), "", "",
                "a running saga holds one worker thread (created on demand up to workerThreads)");
        try (HikariDataSource pool = db.pool("memory-cleanup", 1)) {
            db.truncate(pool);
        }
    }

    private static void startAll(SagaEngine engine, String workflow, int n) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> drivers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread driver = new Thread(() -> {
                while (next.getAndIncrement() < n) {
                    engine.start(workflow, Workloads.ITEM);
                }
            }, "bench-driver-" + i);
            driver.start();
            drivers.add(driver);
        }
        for (Thread driver : drivers) {
            driver.join();
        }
    }

    private static void awaitWaiting(Rests rests, int n) throws InterruptedException {
        if (!rests.await(n, Duration.ofSeconds(120))) {
            throw new IllegalStateException("Not all sagas parked within 120 s");
        }
        if (rests.waiting.sum() < n) {
            throw new IllegalStateException("Sagas rested as something else than WAITING; see the log");
        }
    }

    static long usedHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
