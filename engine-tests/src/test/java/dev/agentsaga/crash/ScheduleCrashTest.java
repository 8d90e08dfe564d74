package dev.agentsaga.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaSchedule;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * A schedule every second on three nodes in JVMs of their own for ten seconds; one node is killed (SIGKILL) after
 * four seconds and started again two seconds later under the same id. Every tick of the ten seconds has exactly one
 * saga, created once by one node, and every saga completes (those of the killed node recovered by the others);
 * there is no saga for anything but a tick.
 */
class ScheduleCrashTest {

    static final String SCHEDULE = "every-second";

    /** What a node prints when it created a tick's saga. */
    static final String CREATED = "created ";

    private static final Duration RUN = Duration.ofSeconds(10);

    @Test
    void everyTickStartsExactlyOnceAcrossThreeNodesWithOneKilled() throws Exception {
        try (TestDatabase database = TestDatabase.postgresql()) {
            JdbcTemplate jdbc = database.jdbc();
            Path logs = Path.of("target", "crash-logs", "schedule-" + database.name());
            List<ChildJvm> nodes = new ArrayList<>();
            try {
                for (int node = 0; node < 3; node++) {
                    nodes.add(launch(logs, database, "schedule-node-" + node, ""));
                }
                for (ChildJvm node : nodes) {
                    awaitLine(node, "node started", Duration.ofSeconds(60));
                }
                Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
                Instant last = first.plus(RUN).minusSeconds(1);
                sleepUntil(first.plusSeconds(4).plusMillis(300));
                int exit = nodes.get(0).kill();
                sleepUntil(first.plusSeconds(6).plusMillis(300));
                nodes.add(launch(logs, database, "schedule-node-0", "-restarted"));
                sleepUntil(last.plusSeconds(2));
                // the nodes go on firing: what follows looks at the sagas of the ticks up to the last of the window
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (unfinished(jdbc, last) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }

                List<String> ids = jdbc.queryForList("SELECT id FROM agent_saga_instance WHERE id LIKE ?", String.class,
                        "schedule:" + SCHEDULE + ":%").stream().filter(id -> !tick(id).isAfter(last)).toList();
                List<Instant> window = new ArrayList<>();
                for (Instant tick = first; !tick.isAfter(last); tick = tick.plusSeconds(1)) {
                    window.add(tick);
                }
                List<String> missing = window.stream().map(tick -> SagaSchedule.sagaId(SCHEDULE, tick))
                        .filter(id -> !ids.contains(id)).toList();
                List<String> notATick = ids.stream().filter(id -> !tick(id).equals(tick(id).truncatedTo(ChronoUnit.SECONDS)))
                        .toList();
                Map<String, Integer> created = new HashMap<>();
                for (ChildJvm node : nodes) {
                    for (String line : node.lines()) {
                        if (line.startsWith(CREATED)) {
                            created.merge(line.substring(CREATED.length()), 1, Integer::sum);
                        }
                    }
                }
                long createdTwice = created.values().stream().filter(n -> n > 1).count();
                long notCompleted = unfinished(jdbc, last);
                long steps = jdbc.queryForList("SELECT saga_id FROM agent_saga_step WHERE saga_id LIKE ?", String.class,
                        "schedule:" + SCHEDULE + ":%").stream().filter(ids::contains).count();
                System.out.printf("schedules: 3 nodes, a tick a second for %d s (%s to %s), faults injected 1 (node 0 "
                        + "killed with SIGKILL, exit %d, restarted 2 s later); ticks %d, sagas up to the last tick %d, missing %d, created "
                        + "twice %d, not a tick %d, not completed %d%n", RUN.toSeconds(), first, last, exit,
                        window.size(), ids.size(), missing.size(), createdTwice, notATick.size(), notCompleted);

                assertThat(exit).as("killed with SIGKILL").isEqualTo(137);
                assertThat(missing).as("ticks without a saga").isEmpty();
                assertThat(createdTwice).as("sagas that two starts created").isZero();
                assertThat(notATick).as("sagas of no tick").isEmpty();
                assertThat(notCompleted).as("sagas that did not complete").isZero();
                assertThat(steps).as("one step per saga").isEqualTo(ids.size());
                assertThat(ids).as("sagas up to the window's end the nodes said they created").containsAll(
                        created.keySet().stream().filter(id -> !tick(id).isAfter(last)).toList());
            }
            finally {
                nodes.forEach(ChildJvm::kill);
            }
        }
    }

    /** The sagas of the ticks up to {@code last} that did not complete. */
    private static long unfinished(JdbcTemplate jdbc, Instant last) {
        return jdbc.queryForList("SELECT id FROM agent_saga_instance WHERE id LIKE ? AND status <> 'COMPLETED'",
                String.class, "schedule:" + SCHEDULE + ":%").stream().filter(id -> !tick(id).isAfter(last)).count();
    }

    private static Instant tick(String sagaId) {
        return Instant.parse(sagaId.substring(("schedule:" + SCHEDULE + ":").length()));
    }

    private static void sleepUntil(Instant instant) throws InterruptedException {
        long millis = Duration.between(Instant.now(), instant).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static ChildJvm launch(Path logs, TestDatabase database, String node, String logSuffix) {
        return ChildJvm.launch(Node.class, logs.resolve(node + logSuffix + ".log"), List.of(),
                List.of(database.jdbcUrl(), node, Long.toString(ProcessHandle.current().pid())));
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
     * A node in a child JVM with the schedule {@value ScheduleCrashTest#SCHEDULE}: a cron expression of every second,
     * whose workflow takes one step of 300 ms; prints each saga it created. Arguments: JDBC URL, node id, the test
     * JVM's process id.
     */
    public static final class Node {

        public static void main(String[] args) throws Exception {
            NodeMain.run(args[0], Long.parseLong(args[2]), dataSource -> engine(dataSource, args[1]));
        }

        static SagaEngine engine(DataSource dataSource, String nodeId) {
            SagaAction<String, String> step = new Step();
            return AgentSaga.builder(dataSource).nodeId(nodeId).pollInterval(Duration.ofMillis(100))
                    .leaseDuration(Duration.ofSeconds(2))
                    .observer(new SagaObserver() {

                        @Override
                        public void scheduleFired(String schedule, String workflow, Instant tick, boolean created) {
                            if (created) {
                                System.out.println(CREATED + SagaSchedule.sagaId(schedule, tick));
                                System.out.flush();
                            }
                        }
                    })
                    .action("report-step", step)
                    .workflow("report", new ScriptedWorkflow((input, saga) -> saga.step(step, input)))
                    .schedule(SCHEDULE, SagaSchedule.cron("* * * * * *", "report").withInput("tick"))
                    .build();
        }
    }

    /** Takes 300 ms, so that the killed node likely dies with a saga under way. */
    static final class Step implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) throws Exception {
            Thread.sleep(300);
            return input + "+";
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }
}
