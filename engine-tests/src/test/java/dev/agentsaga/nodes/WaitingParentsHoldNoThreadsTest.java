package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaChild;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.testing.EngineTestSupport;

/**
 * A thousand parents, each waiting on three children that wait for a signal, hold no threads: the engine's
 * thread count while the four thousand sagas wait is its fixed workers' (and the poller's), as before they
 * started; once the children are signalled, every parent joins its three outputs and completes. Prints
 * {@code waiting parents: parents=1000 children=3000 threads before=... while waiting=... workers=16}.
 */
class WaitingParentsHoldNoThreadsTest extends EngineTestSupport {

    static final int PARENTS = 1_000;

    static final int CHILDREN = 3;

    static final int WORKERS = 16;

    /** Waits durably for its signal, then answers with it. */
    static final class Researcher implements AgentWorkflow<Integer, Integer> {
        @Override
        public Integer run(Integer input, Saga saga) {
            return input + saga.awaitSignal("done", Integer.class, Duration.ofDays(1));
        }
    }

    /** Starts three researchers in parallel and sums their answers. */
    static final class Planner implements AgentWorkflow<Integer, Integer> {

        private final Researcher researcher;

        Planner(Researcher researcher) {
            this.researcher = researcher;
        }

        @Override
        public Integer run(Integer input, Saga saga) {
            List<SagaChild<Integer>> children = new ArrayList<>();
            for (int i = 0; i < CHILDREN; i++) {
                children.add(saga.startChild(researcher, i));
            }
            int sum = 0;
            for (SagaChild<Integer> child : children) {
                sum += child.join();
            }
            return sum;
        }
    }

    @Test
    void aThousandParentsWaitingOnThreeChildrenEachHoldNoThreads() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Researcher researcher = new Researcher();
        SagaEngine engine = started(engineBuilder().workerThreads(WORKERS).workflow("researcher", researcher)
                .workflow("planner", new Planner(researcher)));
        ThreadPoolExecutor starters = (ThreadPoolExecutor) Executors.newFixedThreadPool(4);
        starters.prestartAllCoreThreads();
        int before = threads.getThreadCount();

        List<Future<String>> started = new ArrayList<>();
        for (int i = 0; i < PARENTS; i++) {
            started.add(starters.submit(() -> engine.start("planner", 0).id()));
        }
        List<String> parents = new ArrayList<>();
        for (Future<String> id : started) {
            parents.add(id.get());
        }
        awaitCount(engine, "researcher", SagaStatus.WAITING, PARENTS * CHILDREN, Duration.ofSeconds(120));
        awaitCount(engine, "planner", SagaStatus.WAITING, PARENTS, Duration.ofSeconds(60));
        int whileWaiting = threads.getThreadCount();
        System.out.printf("waiting parents: parents=%d children=%d threads before=%d while waiting=%d workers=%d%n",
                PARENTS, PARENTS * CHILDREN, before, whileWaiting, WORKERS);

        for (String parent : parents) {
            for (int step = 1; step <= CHILDREN; step++) {
                String child = parent + ":" + step;
                starters.submit(() -> engine.signal(child, "done", 1));
            }
        }
        starters.shutdown();
        assertThat(starters.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        awaitCount(engine, "planner", SagaStatus.COMPLETED, PARENTS, Duration.ofSeconds(180));

        // the workers are all the threads sagas use, however many wait (give or take a pool's helper thread)
        assertThat(whileWaiting - before).isLessThanOrEqualTo(WORKERS + 3);
        assertThat(view(engine, parents.get(0)).output()).isEqualTo("6");
        assertThat(view(engine, parents.get(PARENTS - 1)).children()).hasSize(CHILDREN)
                .allMatch(child -> child.status() == SagaStatus.COMPLETED);
    }

    private static void awaitCount(SagaEngine engine, String workflow, SagaStatus status, int expected,
            Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = 0;
        while (System.nanoTime() < deadline) {
            count = engine.list(SagaQuery.all().withWorkflow(workflow).withStatuses(status).withPage(0, 1)).total();
            if (count >= expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(count + " of " + expected + " " + workflow + " sagas reached " + status + " within "
                + timeout);
    }
}
