package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.test.TestClock;
import dev.agentsaga.testing.EngineTestSupport;

/**
 * Ten thousand sagas parked on timers and signals hold no threads: the engine's thread count stays
 * flat while they wait, and every one of them finishes when its timer is due (the engine's clock is
 * moved past their hour-long sleeps) or its signal arrives.
 */
class WaitingSagasHoldNoThreadsTest extends EngineTestSupport {

    static final int TIMERS = 9_000;

    static final int SIGNALS = 1_000;

    static final int WORKERS = 16;

    /** Sleeps durably, then answers. */
    static final class Nap implements AgentWorkflow<Integer, Integer> {
        @Override
        public Integer run(Integer input, Saga saga) {
            saga.sleep(Duration.ofHours(1));
            return input;
        }
    }

    /** Waits durably for its signal, then answers with it. */
    static final class Approval implements AgentWorkflow<Integer, Integer> {
        @Override
        public Integer run(Integer input, Saga saga) {
            return input + saga.awaitSignal("approve", Integer.class, Duration.ofDays(1));
        }
    }

    @Test
    void tenThousandWaitingSagasHoldNoThreadsAndAllFinish() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        TestClock clock = new TestClock();
        SagaEngine engine = started(engineBuilder().clock(clock).workerThreads(WORKERS).workflow("nap", new Nap())
                .workflow("approval", new Approval()));
        List<String> approvals = new ArrayList<>();
        ThreadPoolExecutor starters = (ThreadPoolExecutor) Executors.newFixedThreadPool(4);
        starters.prestartAllCoreThreads();
        int before = threads.getThreadCount();

        List<java.util.concurrent.Future<String>> started = new ArrayList<>();
        for (int i = 0; i < TIMERS + SIGNALS; i++) {
            int n = i;
            started.add(starters.submit(() -> engine.start(n < TIMERS ? "nap" : "approval", n).id()));
        }
        for (int i = 0; i < started.size(); i++) {
            String id = started.get(i).get();
            if (i >= TIMERS) {
                approvals.add(id);
            }
        }
        awaitCount(engine, SagaStatus.WAITING, TIMERS + SIGNALS, Duration.ofSeconds(60));
        int whileWaiting = threads.getThreadCount();
        clock.advance(Duration.ofHours(2));
        for (String id : approvals) {
            starters.submit(() -> engine.signal(id, "approve", 1));
        }
        starters.shutdown();
        assertThat(starters.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        awaitCount(engine, SagaStatus.COMPLETED, TIMERS + SIGNALS, Duration.ofSeconds(90));

        // the engine's fixed workers are all the threads that sagas ever use, however many wait
        // (give or take a connection pool's helper thread)
        assertThat(whileWaiting - before).isLessThanOrEqualTo(WORKERS + 3);
        assertThat(engine.list(SagaQuery.all().withWorkflow("approval").withStatuses(SagaStatus.COMPLETED))
                .total()).isEqualTo(SIGNALS);
    }

    private static void awaitCount(SagaEngine engine, SagaStatus status, int expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = 0;
        while (System.nanoTime() < deadline) {
            count = engine.list(SagaQuery.all().withStatuses(status).withPage(0, 1)).total();
            if (count >= expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(count + " of " + expected + " sagas reached " + status + " within " + timeout);
    }
}
