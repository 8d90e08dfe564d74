package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.testing.ActionScript;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.StatementLog;

/**
 * Many sagas at once on one engine with 32 workers: with group commit on, every saga completes, every
 * action runs once per idempotency key, every journal is whole, and the hot path's writes took fewer
 * transactions than there were writes; with a heartbeat every 50 ms renewing the leases throughout, the
 * batches and the heartbeat never deadlock (no SQL error at all, so no deadlock the store retried
 * either), and over a run longer than a lease no lease lapses; with group commit off, each write is a
 * transaction of its own.
 *
 * <p>The deadlock test runs 600 sagas rather than 200: with the heartbeat renewing all leases in one
 * plain {@code UPDATE} (the renewal before group commit), 200 sagas showed a deadlock in about half the
 * runs and 600 in every run.
 */
class GroupCommitEngineTest extends EngineTestSupport {

    static final int SAGAS = 200;

    static final int STEPS = 5;

    /** Generous: the run takes seconds on two cores. */
    static final Duration BOUND = Duration.ofSeconds(90);

    static final Predicate<String> WORKERS = thread -> thread.startsWith("agent-saga-worker-");

    StatementLog statements;

    @BeforeAll
    void logStatements() {
        statements = new StatementLog(schema.dataSource());
    }

    @BeforeEach
    void clear() {
        statements.clear();
    }

    @Test
    void concurrentSagasCompleteOnceEachInFewerTransactionsThanWrites() throws Exception {
        Run run = run("grouped", builder().groupCommit(true).groupCommitMaxBatch(64), SAGAS, Duration.ZERO);

        run.assertEverySagaCompletedOnce();
        long commits = run.workerCommits();
        System.out.printf("group commit on: %d hot-path writes in %d transactions, %d sagas in %d ms%n",
                run.writes(), commits, SAGAS, run.millis);
        assertThat(commits).as("transactions of the workers for %d journal writes", run.writes())
                .isLessThan(run.writes());
        assertThat(statements.failures()).as("SQL errors").isEmpty();
    }

    @Test
    void aHeartbeatEvery50MillisecondsNeverDeadlocksWithTheBatches() throws Exception {
        // three times the sagas, actions that take no time: the largest batches, and heartbeats all along
        Run run = run("heartbeat", builder().groupCommit(true).leaseDuration(Duration.ofSeconds(2))
                .heartbeatInterval(Duration.ofMillis(50)), 3 * SAGAS, Duration.ZERO);

        run.assertEverySagaCompletedOnce();
        long beats = heartbeats();
        System.out.printf("group commit with a 50 ms heartbeat: %d sagas in %d ms, %d heartbeats, %d transactions%n",
                run.ids.size(), run.millis, beats, run.workerCommits());
        assertThat(beats).as("heartbeats while the sagas ran").isGreaterThanOrEqualTo(3);
        assertThat(statements.failures()).as("SQL errors (a deadlock shows here even when the store retried it)")
                .isEmpty();
        assertThat(run.workerCommits()).as("transactions of the workers").isLessThan(run.writes());
    }

    @Test
    void leasesRenewedEvery50MillisecondsAmongTheBatchesNeverLapse() throws Exception {
        // actions of 50 ms stretch the run over more than a lease (200 * 5 * 50 ms / 32 workers > 1.5 s): a
        // lease the heartbeat failed to renew would expire, the saga be claimed again and a step run twice
        Run run = run("renewed", builder().groupCommit(true).leaseDuration(Duration.ofSeconds(1))
                .heartbeatInterval(Duration.ofMillis(50)), SAGAS, Duration.ofMillis(50));

        assertThat(run.millis).as("how long the sagas ran, in ms, against a lease of 1 s").isGreaterThan(1000);
        run.assertEverySagaCompletedOnce();
        System.out.printf("group commit with 1 s leases: %d sagas in %d ms, %d heartbeats, %d transactions%n",
                run.ids.size(), run.millis, heartbeats(), run.workerCommits());
        assertThat(statements.failures()).as("SQL errors").isEmpty();
    }

    @Test
    void withGroupCommitOffEachWriteIsATransactionOfItsOwn() throws Exception {
        Run run = run("ungrouped", builder().groupCommit(false), SAGAS, Duration.ZERO);

        run.assertEverySagaCompletedOnce();
        assertThat(run.workerCommits()).as("transactions of the workers").isEqualTo(run.writes());
        assertThat(statements.failures()).as("SQL errors").isEmpty();
    }

    private AgentSaga.Builder builder() {
        return AgentSaga.builder(statements.dataSource())
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(2))
                .workerThreads(32);
    }

    /** Heartbeats so far: each asks which of the running sagas were cancelled. */
    private long heartbeats() {
        return statements.entries(thread -> thread.startsWith("agent-saga-poller-")).stream()
                .filter(entry -> entry.isRead() && entry.sql().contains("cancel_requested")).count();
    }

    /**
     * Starts {@code sagas} sagas of five COMPENSABLE steps, each taking {@code actionTime}, from eight threads
     * at once and awaits their outputs.
     */
    private Run run(String workflow, AgentSaga.Builder builder, int sagas, Duration actionTime) throws Exception {
        List<CompensableAction> actions = new ArrayList<>();
        for (int i = 1; i <= STEPS; i++) {
            CompensableAction action = new CompensableAction(workflow + "-step" + i, ledger)
                    .sleepingOnFirstCalls(actionTime.isZero() ? 0 : 1, actionTime);
            actions.add(action);
            builder.action(action);
        }
        SagaEngine engine = started(builder.workflow(workflow, new ScriptedWorkflow((input, saga) -> {
            String value = input;
            for (CompensableAction action : actions) {
                value = saga.step(action, value);
            }
            return value;
        })));
        statements.clear();

        long begin = System.nanoTime();
        ExecutorService starters = Executors.newFixedThreadPool(8);
        List<Future<SagaHandle>> starts = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try {
            for (int i = 0; i < sagas; i++) {
                String id = workflow + "-" + i;
                starts.add(starters.submit(() -> {
                    go.await();
                    return engine.start(workflow, "in-" + id, id);
                }));
            }
            go.countDown();
            long deadline = begin + BOUND.toNanos();
            List<String> ids = new ArrayList<>();
            for (Future<SagaHandle> start : starts) {
                SagaHandle handle = start.get(BOUND.toSeconds(), TimeUnit.SECONDS);
                Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                assertThat(handle.awaitOutput(String.class, left)).as("output of %s", handle.id())
                        .isEqualTo(expectedOutput(actions, "in-" + handle.id()));
                ids.add(handle.id());
            }
            long millis = (System.nanoTime() - begin) / 1_000_000;
            return new Run(engine, workflow, ids, actions, millis);
        }
        finally {
            starters.shutdownNow();
        }
    }

    private static String expectedOutput(List<CompensableAction> actions, String input) {
        String value = input;
        for (CompensableAction action : actions) {
            value = ActionScript.outputOf(action.name(), value);
        }
        return value;
    }

    private final class Run {

        final SagaEngine engine;

        final String workflow;

        final List<String> ids;

        final List<CompensableAction> actions;

        final long millis;

        Run(SagaEngine engine, String workflow, List<String> ids, List<CompensableAction> actions, long millis) {
            this.engine = engine;
            this.workflow = workflow;
            this.ids = ids;
            this.actions = actions;
            this.millis = millis;
        }

        /** The hot-path writes of the run: an append per step and the completion, per saga. */
        int writes() {
            return ids.size() * (STEPS + 1);
        }

        long workerCommits() {
            return statements.entries(WORKERS).stream().filter(StatementLog.Entry::isCommit).count();
        }

        void assertEverySagaCompletedOnce() {
            assertThat(ids).doesNotHaveDuplicates();
            List<String> names = actions.stream().map(CompensableAction::name).toList();
            for (String id : ids) {
                SagaView view = view(engine, id);
                assertThat(view.status()).as("status of %s", id).isEqualTo(SagaStatus.COMPLETED);
                assertThat(view.error()).as("error of %s", id).isNull();
                assertThat(view.steps()).as("journal of %s", id).extracting(StepView::seq)
                        .containsExactly(1, 2, 3, 4, 5);
                assertThat(view.steps()).as("journal of %s", id).extracting(StepView::name)
                        .containsExactlyElementsOf(names);
                assertThat(view.steps()).as("journal of %s", id).extracting(StepView::status)
                        .containsOnly(StepStatus.SUCCEEDED);
            }
            String like = workflow + "-%";
            assertThat(count("SELECT count(*) FROM test_attempt WHERE saga_id LIKE ? AND kind = 'EXECUTE'", like))
                    .as("executions").isEqualTo(ids.size() * STEPS);
            assertThat(count("SELECT count(DISTINCT idempotency_key) FROM test_attempt WHERE saga_id LIKE ? "
                    + "AND kind = 'EXECUTE'", like)).as("idempotency keys executed").isEqualTo(ids.size() * STEPS);
            assertThat(count("SELECT count(*) FROM test_attempt WHERE saga_id LIKE ? AND kind = 'EXECUTE' "
                    + "AND idempotency_key <> saga_id || ':' || step", like)).as("executions under another key")
                    .isZero();
            assertThat(count("SELECT count(*) FROM test_effect WHERE saga_id LIKE ? AND kind = 'EXECUTE' "
                    + "AND requests = 1", like)).as("effects requested once").isEqualTo(ids.size() * STEPS);
            assertThat(count("SELECT count(*) FROM test_attempt WHERE saga_id LIKE ? AND kind = 'COMPENSATE'", like))
                    .as("compensations").isZero();
        }

        private int count(String sql, Object... args) {
            Integer count = jdbc().queryForObject(sql, Integer.class, args);
            return count == null ? 0 : count;
        }
    }
}
