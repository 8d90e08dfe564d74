package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaQueue;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.StartOptions;
import dev.agentsaga.testing.EngineTestSupport;

/**
 * Configured queues across three engines on one database: a global limit holds however many sagas wait, a node
 * limit holds per engine, a partition limit lets every tenant progress, and higher priorities are claimed
 * first. Concurrency is sampled from the database throughout, as the limits count it: sagas of the queue that
 * hold a live lease.
 */
class QueueLimitsTest extends EngineTestSupport {

    /** Works a while, and says in which order the sagas got to work. */
    static final class Work implements SagaAction<String, String> {

        final List<String> order = new CopyOnWriteArrayList<>();

        private final long millis;

        Work(long millis) {
            this.millis = millis;
        }

        @Override
        public String execute(String input, ActionContext ctx) throws InterruptedException {
            order.add(input);
            Thread.sleep(millis);
            return input;
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }

    /** One step of work. */
    static final class Job implements AgentWorkflow<String, String> {

        private final Work work;

        Job(Work work) {
            this.work = work;
        }

        @Override
        public String run(String input, Saga saga) {
            return saga.step(work, input);
        }
    }

    @Test
    void threeNodesRunAtMostFiveOfThreeHundredSagasAtOnceAndAtMostTwoEach() throws Exception {
        Work work = new Work(20);
        SagaQueue refunds = SagaQueue.named("refund").withGlobalConcurrency(5).withNodeConcurrency(2);
        List<SagaEngine> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(started(node("node-" + i, work, refunds)));
        }
        Sampler sampler = new Sampler("refund");
        for (int i = 0; i < 300; i++) {
            nodes.get(i % 3).start("refund", "r" + i);
        }
        awaitCompleted(nodes.get(0), "refund", 300, Duration.ofSeconds(90));
        sampler.stop();

        System.out.printf("queue limits: sagas=300 samples=%d most at once=%d most on one node=%d%n",
                sampler.samples.get(), sampler.most.get(), sampler.mostOnOneNode.get());
        assertThat(sampler.samples.get()).isGreaterThan(20);
        assertThat(sampler.most.get()).isBetween(2, 5);
        assertThat(sampler.mostOnOneNode.get()).isBetween(1, 2);
        assertThat(work.order).hasSize(300);
    }

    @Test
    void aPartitionLimitLetsEveryTenantProgressBehindAnotherTenantsBacklog() throws Exception {
        Work work = new Work(20);
        SagaQueue support = SagaQueue.named("support").withGlobalConcurrency(6).withPartitionConcurrency(2);
        SagaEngine starter = unstarted(work, support);
        for (String tenant : List.of("acme", "globex", "initech")) {
            for (int i = 0; i < 30; i++) {
                starter.start("support", tenant + "-" + i, StartOptions.defaults().withPartitionKey(tenant));
            }
        }
        List<SagaEngine> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(started(node("node-" + i, work, support)));
        }
        awaitCompleted(nodes.get(0), "support", 90, Duration.ofSeconds(60));

        // acme's thirty were started first, yet globex and initech ran from the start, two at a time each
        List<String> firstTwelve = work.order.subList(0, 12);
        assertThat(firstTwelve).filteredOn(job -> job.startsWith("globex")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(firstTwelve).filteredOn(job -> job.startsWith("initech")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(firstTwelve).filteredOn(job -> job.startsWith("acme")).hasSizeLessThanOrEqualTo(6);
    }

    @Test
    void higherPrioritiesStartedAfterABacklogAreClaimedFirst() throws Exception {
        Work work = new Work(5);
        SagaQueue triage = SagaQueue.named("triage").withGlobalConcurrency(1);
        SagaEngine starter = unstarted(work, triage);
        for (int i = 0; i < 20; i++) {
            starter.start("triage", "low-" + i);
        }
        for (int i = 0; i < 5; i++) {
            starter.start("triage", "high-" + i, StartOptions.defaults().withPriority(10));
        }
        SagaEngine node = started(node("node-0", work, triage));
        started(node("node-1", work, triage));
        awaitCompleted(node, "triage", 25, Duration.ofSeconds(60));

        assertThat(work.order.subList(0, 5)).containsExactly("high-0", "high-1", "high-2", "high-3", "high-4");
        assertThat(work.order.subList(5, 25)).startsWith("low-0", "low-1", "low-2");
    }

    @Test
    void aSagaThatWaitedLongerThanTheAgingGoesAheadOfHigherPriorities() throws Exception {
        Work work = new Work(5);
        SagaQueue triage = SagaQueue.named("agedTriage").withGlobalConcurrency(1).withAging(Duration.ofMillis(300));
        SagaEngine starter = unstarted(work, triage);
        starter.start("agedTriage", "old-low");
        Thread.sleep(600);
        for (int i = 0; i < 3; i++) {
            starter.start("agedTriage", "high-" + i, StartOptions.defaults().withPriority(10));
        }
        SagaEngine node = started(node("node-0", work, triage));
        awaitCompleted(node, "agedTriage", 4, Duration.ofSeconds(30));

        assertThat(work.order).containsExactly("old-low", "high-0", "high-1", "high-2");
    }

    /** A node that runs {@code workflow} (one per test: the tests share the schema), with the queue. */
    private AgentSaga.Builder node(String id, Work work, SagaQueue queue) {
        return engineBuilder().nodeId(id).workerThreads(8).action(work).workflow(queue.name(), new Job(work))
                .queue(queue);
    }

    /** An engine that is never started: its starts insert the sagas PENDING for the nodes. */
    private SagaEngine unstarted(Work work, SagaQueue queue) {
        return node("starter", work, queue).build();
    }

    private static void awaitCompleted(SagaEngine engine, String workflow, int expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long done = 0;
        while (System.nanoTime() < deadline) {
            done = engine.list(SagaQuery.all().withWorkflow(workflow)
                    .withStatuses(SagaStatus.COMPLETED).withPage(0, 1)).total();
            if (done >= expected) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(done + " of " + expected + " " + workflow + " sagas completed within " + timeout);
    }

    /** Samples the queue's sagas that hold a live lease, in all and per node, every 10 ms. */
    private final class Sampler {

        final AtomicInteger samples = new AtomicInteger();

        final AtomicInteger most = new AtomicInteger();

        final AtomicInteger mostOnOneNode = new AtomicInteger();

        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();

        Sampler(String workflow) {
            String sql = "SELECT owner, COUNT(*) AS n FROM " + schema.tablePrefix() + "instance WHERE workflow = ? "
                    + "AND status IN ('RUNNING', 'COMPENSATING') AND owner IS NOT NULL AND lease_expires_at >= now() "
                    + "GROUP BY owner";
            thread.scheduleWithFixedDelay(() -> {
                List<Map<String, Object>> rows = jdbc().queryForList(sql, workflow);
                int all = rows.stream().mapToInt(row -> ((Number) row.get("n")).intValue()).sum();
                int one = rows.stream().mapToInt(row -> ((Number) row.get("n")).intValue()).max().orElse(0);
                samples.incrementAndGet();
                most.accumulateAndGet(all, Math::max);
                mostOnOneNode.accumulateAndGet(one, Math::max);
            }, 0, 10, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            thread.shutdown();
            assertThat(thread.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
