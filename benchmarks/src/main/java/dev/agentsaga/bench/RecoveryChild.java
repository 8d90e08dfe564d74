package dev.agentsaga.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;

/**
 * The engine that is killed: starts {@code n} recover sagas on {@code workers} workers whose second
 * step blocks, prints {@code READY} once all are started and every worker is blocked, and waits for
 * its SIGKILL. What it leaves: n RUNNING sagas leased to it, {@code workers} of them with step 1
 * journaled, the others queued in its memory with no step yet.
 *
 * <p>Arguments: schema JDBC URL, n, workers, lease in milliseconds, node id.
 */
public final class RecoveryChild {

    private RecoveryChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int n = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        String nodeId = args[4];
        Workloads.Gate.BLOCK = new CountDownLatch(1);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(Math.min(workers, 16) + 4);
        HikariDataSource pool = new HikariDataSource(config);
        SagaEngine engine = Engines.builder(pool, workers, 5, new Engines.Rests())
                .leaseDuration(lease)
                .heartbeatInterval(lease.dividedBy(3))
                .nodeId(nodeId)
                .build();
        engine.startup();
        AtomicInteger next = new AtomicInteger();
        List<Thread> drivers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread driver = new Thread(() -> {
                while (next.getAndIncrement() < n) {
                    engine.start(Workloads.RECOVER, Workloads.ITEM);
                }
            });
            driver.start();
            drivers.add(driver);
        }
        for (Thread driver : drivers) {
            driver.join();
        }
        int blocked = Math.min(workers, n);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Workloads.Gate.BLOCKED.get() < blocked && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        System.out.println("READY " + n + " " + Workloads.Gate.BLOCKED.get());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
