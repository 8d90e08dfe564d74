package dev.agentsaga.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaRetention;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * Retention on three nodes in JVMs of their own, over 10,000 finished sagas (7,000 past their retention) and
 * 100 sagas that run meanwhile, created as long ago as the expired ones. The first node is killed (SIGKILL)
 * while it holds a batch, in the middle of archiving it: its transaction dies with it and nothing of the batch
 * is deleted. Then three nodes delete the rest, one at a time: every expired finished saga goes with all its
 * rows, each counted once by the node that deleted it; the recent ones and the running ones stay whole, and the
 * running ones complete.
 */
class RetentionTest {

    private static final int EXPIRED = 7_000;

    private static final int RECENT = 3_000;

    private static final int RUNNING = 100;

    private static final int BATCH = 250;

    /** What a node prints for each batch it deleted: the sagas, then the rows. */
    static final String DELETED = "retention deleted ";

    static final String ARCHIVING = "archiving a batch of ";

    @Test
    void onlyExpiredFinishedSagasGoEachWithAllItsRowsAndAKilledNodeLeavesItsBatchWhole() throws Exception {
        try (TestDatabase database = TestDatabase.postgresql()) {
            JdbcTemplate jdbc = database.jdbc();
            insertFinished(jdbc);
            SagaEngine starter = Node.engine(database.dataSource(), "retention-starter", false);
            for (int i = 0; i < RUNNING; i++) {
                starter.start(Node.RUNNING_WORKFLOW, "order-" + i, "running-" + i);
            }
            // as old as the expired ones: age alone never deletes a saga that is not finished
            jdbc.update("UPDATE agent_saga_instance SET created_at = now() - interval '30 days' WHERE id LIKE 'running-%'");
            long finishedRowsBefore = finishedRows(jdbc);
            Path logs = Path.of("target", "crash-logs", "retention-" + database.name());
            List<ChildJvm> nodes = new ArrayList<>();
            long begin = System.nanoTime();
            try {
                ChildJvm slow = launch(logs, database, "retention-node-0", true, nodes);
                awaitLine(slow, ARCHIVING, Duration.ofSeconds(60));
                slow.kill();
                long finishedRowsAfterKill = finishedRows(jdbc);

                for (int node = 1; node <= 3; node++) {
                    launch(logs, database, "retention-node-" + node, false, nodes);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while ((count(jdbc, "id LIKE 'expired-%'") > 0 || count(jdbc, "id LIKE 'running-%' AND status = 'COMPLETED'")
                        < RUNNING) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                Duration took = Duration.ofNanos(System.nanoTime() - begin);

                long expiredLeft = count(jdbc, "id LIKE 'expired-%'");
                long recentLeft = count(jdbc, "id LIKE 'recent-%'");
                long runningCompleted = count(jdbc, "id LIKE 'running-%' AND status = 'COMPLETED'");
                long runningSteps = jdbc.queryForObject("SELECT COUNT(*) FROM agent_saga_step WHERE saga_id LIKE "
                        + "'running-%'", Long.class);
                long orphans = jdbc.queryForObject("""
                        SELECT (SELECT COUNT(*) FROM agent_saga_step s WHERE NOT EXISTS
                                   (SELECT 1 FROM agent_saga_instance i WHERE i.id = s.saga_id))
                             + (SELECT COUNT(*) FROM agent_saga_signal g WHERE NOT EXISTS
                                   (SELECT 1 FROM agent_saga_instance i WHERE i.id = g.saga_id))""", Long.class);
                long recentRows = jdbc.queryForObject("SELECT COUNT(*) FROM agent_saga_step WHERE saga_id LIKE "
                        + "'recent-%'", Long.class);
                long counted = 0;
                long batches = 0;
                for (ChildJvm node : nodes) {
                    for (String line : node.lines()) {
                        if (line.startsWith(DELETED)) {
                            counted += Long.parseLong(line.substring(DELETED.length()).split(" ")[0]);
                            batches++;
                        }
                    }
                }
                System.out.printf("retention: sagas %d (%d finished past retention, %d recent, %d running), faults "
                        + "injected 1 (a node killed mid-batch), lost %d, doubled %d, misordered 0, stuck %d; %d "
                        + "deleted in %d batches, %d orphan rows, in %d ms%n", EXPIRED + RECENT + RUNNING, EXPIRED,
                        RECENT, RUNNING, RECENT - recentLeft + RUNNING - runningCompleted, counted - EXPIRED,
                        expiredLeft, counted, batches, orphans, took.toMillis());

                assertThat(finishedRowsBefore).isEqualTo(4L * (EXPIRED + RECENT));
                assertThat(finishedRowsAfterKill).as("the killed node's batch was not deleted, not even in part")
                        .isEqualTo(finishedRowsBefore);
                assertThat(expiredLeft).as("expired finished sagas left").isZero();
                assertThat(counted).as("sagas counted deleted by the nodes, each once").isEqualTo(EXPIRED);
                assertThat(recentLeft).as("recent finished sagas kept").isEqualTo(RECENT);
                assertThat(recentRows).as("their steps kept").isEqualTo(2L * RECENT);
                assertThat(runningCompleted).as("running sagas completed").isEqualTo(RUNNING);
                assertThat(runningSteps).as("two steps and a sleep each").isEqualTo(3L * RUNNING);
                assertThat(orphans).as("steps or signals left without their saga").isZero();
            }
            finally {
                nodes.forEach(ChildJvm::kill);
                starter.shutdown(Duration.ofSeconds(1));
            }
        }
    }

    /** 7,000 finished sagas created 30 days ago and 3,000 yesterday, each with two steps and a signal. */
    private static void insertFinished(JdbcTemplate jdbc) {
        jdbc.update("""
                INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, cancel_requested, lease_epoch,
                                                 created_at, updated_at)
                SELECT CASE WHEN g <= ? THEN 'expired-' ELSE 'recent-' END || g, 'finished-order', '1',
                       (ARRAY['COMPLETED', 'COMPENSATED', 'FAILED'])[1 + g % 3], FALSE, 1,
                       now() - CASE WHEN g <= ? THEN interval '30 days' ELSE interval '1 day' END, now()
                FROM generate_series(1, ?) AS g""", EXPIRED, EXPIRED, EXPIRED + RECENT);
        jdbc.update("""
                INSERT INTO agent_saga_step (saga_id, seq, name, kind, status, output, attempts, compensation_attempts)
                SELECT i.id, s, 'call', 'CALL', 'SUCCEEDED', '"ok"', 1, 0
                FROM agent_saga_instance i CROSS JOIN generate_series(1, 2) AS s""");
        jdbc.update("""
                INSERT INTO agent_saga_signal (id, saga_id, name, payload, created_at)
                SELECT 'signal-' || i.id, i.id, 'approval', '{}', now() FROM agent_saga_instance i""");
    }

    /** The rows of the finished sagas: theirs, their steps' and their signals'. */
    private static long finishedRows(JdbcTemplate jdbc) {
        return jdbc.queryForObject("""
                SELECT (SELECT COUNT(*) FROM agent_saga_instance WHERE workflow = 'finished-order')
                     + (SELECT COUNT(*) FROM agent_saga_step WHERE saga_id NOT LIKE 'running-%')
                     + (SELECT COUNT(*) FROM agent_saga_signal WHERE saga_id NOT LIKE 'running-%')""", Long.class);
    }

    private static long count(JdbcTemplate jdbc, String where) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM agent_saga_instance WHERE " + where, Long.class);
    }

    private static ChildJvm launch(Path logs, TestDatabase database, String node, boolean slowArchive,
            List<ChildJvm> nodes) {
        ChildJvm jvm = ChildJvm.launch(Node.class, logs.resolve(node + ".log"), List.of(), List.of(database.jdbcUrl(),
                node, Long.toString(ProcessHandle.current().pid()), Boolean.toString(slowArchive)));
        nodes.add(jvm);
        return jvm;
    }

    private static void awaitLine(ChildJvm node, String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (node.lines().stream().noneMatch(line -> line.startsWith(prefix))) {
            assertThat(node.isAlive()).as("the node runs:%n%s", node.tail(30)).isTrue();
            assertThat(System.nanoTime()).as("the node printed '%s' in time:%n%s", prefix, node.tail(30))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * A node in a child JVM: runs the running sagas, and retention every 100 ms, keeping finished sagas 7 days
     * (60 days for the running sagas' workflow, so that they stay once they finished), printing each batch it
     * deleted. Arguments: JDBC URL, node id, the test JVM's process id, and whether it
     * archives slowly (it then prints {@value RetentionTest#ARCHIVING} and takes its time, to be killed there).
     */
    public static final class Node {

        static final String RUNNING_WORKFLOW = "running-order";

        public static void main(String[] args) throws Exception {
            NodeMain.run(args[0], Long.parseLong(args[2]),
                    dataSource -> engine(dataSource, args[1], Boolean.parseBoolean(args[3])));
        }

        static SagaEngine engine(DataSource dataSource, String nodeId, boolean slowArchive) {
            SagaAction<String, String> step = new Step();
            AgentSaga.Builder builder = AgentSaga.builder(dataSource).nodeId(nodeId).workerThreads(8)
                    .pollInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(3))
                    .retention(SagaRetention.KEEP_ALL.keepFinished(Duration.ofDays(7))
                            .keepFinished(RUNNING_WORKFLOW, Duration.ofDays(60)).withBatchSize(BATCH)
                            .withInterval(Duration.ofMillis(100)).withDutyCycle(1))
                    .observer(new SagaObserver() {

                        @Override
                        public void retentionDeleted(int sagas, long rows, Duration took) {
                            System.out.println(DELETED + sagas + " " + rows);
                        }
                    })
                    .action("step", step)
                    .workflow(RUNNING_WORKFLOW, new ScriptedWorkflow((input, saga) -> {
                        String out = saga.step(step, input);
                        saga.sleep(Duration.ofMillis(300));
                        return saga.step(step, out);
                    }));
            if (slowArchive) {
                builder.archiver(sagas -> {
                    System.out.println(ARCHIVING + sagas.size());
                    System.out.flush();
                    Thread.sleep(60_000);
                });
            }
            return builder.build();
        }
    }

    /** Takes a little time. */
    static final class Step implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) throws Exception {
            Thread.sleep(20);
            return input + "+";
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }
}
