package dev.agentsaga.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.Crashes;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * A saga whose second step halts its JVM on every attempt (as an out-of-memory error or a native crash
 * would), on two nodes that the test starts again each time one dies, while other sagas run beside it.
 * After {@value #MAX_RECOVERY_ATTEMPTS} recoveries that find its journal where the previous run left it, the
 * next node parks it as NEEDS_ATTENTION, with the reason, the count and the nodes it took down, instead of
 * running it: the nodes stay up and the other sagas finish. Once the cause is gone, {@code retry} runs it to
 * the end.
 */
class PoisonSagaTest {

    private static final int MAX_RECOVERY_ATTEMPTS = 3;

    private static final int HEALTHY_SAGAS = 60;

    private static final int HEALTHY_STEPS = 3;

    private static final List<String> NODES = List.of("poison-node-a", "poison-node-b");

    private static final String POISON = "poison-saga";

    @Test
    void aSagaThatTakesItsNodeDownEveryTimeIsParkedAfterTheLimitWhileTheOthersFinish() throws Exception {
        try (TestDatabase database = TestDatabase.postgresql()) {
            JdbcTemplate jdbc = database.jdbc();
            Node.createTables(jdbc);
            SagaEngine starter = Node.engine(database.dataSource(), "poison-starter");
            Path logs = Path.of("target", "crash-logs", "poison-" + database.name());
            long begin = System.nanoTime();

            starter.start(Node.POISONED, "order", POISON);
            Map<String, ChildJvm> nodes = new TreeMap<>();
            List<ChildJvm> runs = new ArrayList<>();
            int halts = 0;
            int healthyStarted = 0;
            int healthyDoneWhileParked = -1;
            try {
                for (String node : NODES) {
                    nodes.put(node, launch(logs, database, node, runs));
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (status(starter, POISON) != SagaStatus.NEEDS_ATTENTION && System.nanoTime() < deadline) {
                    if (healthyStarted < HEALTHY_SAGAS) {
                        starter.start(Node.HEALTHY, "order-" + healthyStarted, "healthy-" + healthyStarted);
                        healthyStarted++;
                    }
                    for (Map.Entry<String, ChildJvm> node : nodes.entrySet()) {
                        if (!node.getValue().isAlive()) {
                            assertThat(node.getValue().process().exitValue()).as("%s exits only by the poison step:%n%s",
                                    node.getKey(), node.getValue().tail(30)).isEqualTo(Crashes.HALT_EXIT_CODE);
                            halts++;
                            node.setValue(launch(logs, database, node.getKey(), runs));
                        }
                    }
                    Thread.sleep(100);
                }
                Duration toParking = Duration.ofNanos(System.nanoTime() - begin);
                while (healthyStarted < HEALTHY_SAGAS) {
                    starter.start(Node.HEALTHY, "order-" + healthyStarted, "healthy-" + healthyStarted);
                    healthyStarted++;
                }
                healthyDoneWhileParked = completedHealthy(starter, healthyStarted);

                SagaView parked = starter.find(POISON).orElseThrow();
                List<SagaView> healthy = awaitHealthy(starter);
                Thread.sleep(2000);
                boolean nodesUp = nodes.values().stream().allMatch(ChildJvm::isAlive);

                jdbc.update("UPDATE poison_switch SET fixed = TRUE");
                starter.retry(POISON);
                SagaView afterRetry = starter.find(POISON).orElseThrow();
                SagaView retried = awaitRest(starter, POISON);

                long lost = healthy.stream().filter(view -> view.status() != SagaStatus.COMPLETED).count();
                Set<String> journaled = new HashSet<>();
                healthy.forEach(view -> view.steps().forEach(step -> journaled.add(step.idempotencyKey())));
                retried.steps().forEach(step -> journaled.add(step.idempotencyKey()));
                List<String> executed = jdbc.queryForList("SELECT idempotency_key FROM poison_effect", String.class);
                long doubled = executed.stream().filter(key -> !journaled.contains(key)).count();
                long misordered = healthy.stream().filter(view -> !inOrder(view)).count();
                System.out.printf("poison saga: sagas %d (1 poison, %d others), faults injected %d (JVM halts by the "
                        + "poison step), lost %d, doubled %d, misordered %d, stuck %d; parked after %d recoveries in "
                        + "%d ms, %d others had completed by then; nodes up after: %s%n", healthy.size() + 1,
                        healthy.size(), halts, lost, doubled, misordered, lost, parked.recoveredFrom().size(),
                        toParking.toMillis(), healthyDoneWhileParked, nodesUp);

                assertThat(parked.status()).as("parked within 90 s").isEqualTo(SagaStatus.NEEDS_ATTENTION);
                assertThat(parked.recoveredFrom()).as("one engine per run that ended without progress")
                        .hasSize(MAX_RECOVERY_ATTEMPTS + 1).allSatisfy(node -> assertThat(NODES).contains(node));
                assertThat(parked.error()).contains("recovered " + (MAX_RECOVERY_ATTEMPTS + 1) + " times")
                        .contains("agent.saga.max-recovery-attempts (" + MAX_RECOVERY_ATTEMPTS + ")")
                        .contains(parked.recoveredFrom().get(0)).contains("after step 1 (reserve");
                assertThat(parked.steps()).extracting(StepView::name).containsExactly("reserve");
                assertThat(halts).as("the first run and one per recovery took a node down")
                        .isEqualTo(MAX_RECOVERY_ATTEMPTS + 1);
                assertThat(nodesUp).as("no node died after the saga was parked").isTrue();
                assertThat(healthyDoneWhileParked).as("other sagas ran while the poison saga took nodes down")
                        .isPositive();
                assertThat(lost).as("other sagas that did not complete").isZero();
                assertThat(doubled).as("executions under a key no journaled step has").isZero();
                assertThat(misordered).as("journals out of order").isZero();
                assertThat(afterRetry.recoveredFrom()).as("retry starts the count again").isEmpty();
                assertThat(retried.status()).isEqualTo(SagaStatus.COMPLETED);
                assertThat(retried.recoveredFrom()).isEmpty();
            }
            finally {
                runs.forEach(ChildJvm::kill);
                starter.shutdown(Duration.ofSeconds(1));
            }
        }
    }

    private static ChildJvm launch(Path logs, TestDatabase database, String node, List<ChildJvm> runs) {
        ChildJvm jvm = ChildJvm.launch(Node.class, logs.resolve(node + "-run" + runs.size() + ".log"), List.of(),
                List.of(database.jdbcUrl(), node, Long.toString(ProcessHandle.current().pid())));
        runs.add(jvm);
        return jvm;
    }

    private static SagaStatus status(SagaEngine engine, String id) {
        return engine.find(id).orElseThrow().status();
    }

    private static int completedHealthy(SagaEngine engine, int started) {
        int completed = 0;
        for (int i = 0; i < started; i++) {
            if (status(engine, "healthy-" + i) == SagaStatus.COMPLETED) {
                completed++;
            }
        }
        return completed;
    }

    private static List<SagaView> awaitHealthy(SagaEngine engine) throws InterruptedException {
        List<SagaView> views = new ArrayList<>();
        for (int i = 0; i < HEALTHY_SAGAS; i++) {
            views.add(awaitRest(engine, "healthy-" + i));
        }
        return views;
    }

    private static SagaView awaitRest(SagaEngine engine, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SagaView view = engine.find(id).orElseThrow();
        while (!(view.status().isTerminal() || view.status() == SagaStatus.NEEDS_ATTENTION)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            view = engine.find(id).orElseThrow();
        }
        return view;
    }

    private static boolean inOrder(SagaView view) {
        List<StepView> steps = view.steps();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).seq() != i + 1) {
                return false;
            }
        }
        return steps.size() == HEALTHY_STEPS;
    }

    /**
     * A node in a child JVM: an engine with both workflows under a stable node id, that runs what it claims
     * until the poison step halts it, or the test JVM is gone. Arguments: JDBC URL, node id, the test JVM's
     * process id.
     */
    public static final class Node {

        static final String POISONED = "poisoned";

        static final String HEALTHY = "healthy";

        public static void main(String[] args) throws Exception {
            NodeMain.run(args[0], Long.parseLong(args[2]), dataSource -> engine(dataSource, args[1]));
        }

        static SagaEngine engine(DataSource dataSource, String nodeId) {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            SagaAction<String, String> reserve = new Effect(jdbc, "reserve");
            SagaAction<String, String> charge = new Effect(jdbc, "charge");
            SagaAction<String, String> notify = new Effect(jdbc, "notify");
            SagaAction<String, String> poison = new Poison(jdbc);
            return AgentSaga.builder(dataSource).nodeId(nodeId).workerThreads(4)
                    .pollInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(2))
                    .maxRecoveryAttempts(MAX_RECOVERY_ATTEMPTS)
                    .action("reserve", reserve).action("charge", charge).action("notify", notify)
                    .action("poison", poison)
                    .workflow(POISONED, new ScriptedWorkflow((input, saga) -> {
                        String reserved = saga.step(reserve, input);
                        return saga.step(poison, reserved);
                    }))
                    .workflow(HEALTHY, new ScriptedWorkflow((input, saga) -> {
                        String out = saga.step(reserve, input);
                        out = saga.step(charge, out);
                        return saga.step(notify, out);
                    }))
                    .build();
        }

        static void createTables(JdbcTemplate jdbc) {
            jdbc.execute("CREATE TABLE poison_effect (idempotency_key VARCHAR(300), action VARCHAR(50))");
            jdbc.execute("CREATE TABLE poison_switch (fixed BOOLEAN NOT NULL)");
            jdbc.update("INSERT INTO poison_switch VALUES (FALSE)");
        }
    }

    /** Records each execution by idempotency key, and takes a little time. */
    record Effect(JdbcTemplate jdbc, String name) implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) throws Exception {
            jdbc.update("INSERT INTO poison_effect VALUES (?, ?)", ctx.idempotencyKey(), name);
            Thread.sleep(20);
            return input + "+" + name;
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }

    /** Halts its JVM on every attempt until the switch says the cause is fixed. */
    record Poison(JdbcTemplate jdbc) implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT fixed FROM poison_switch", Boolean.class))) {
                System.out.println("the poison step halts this JVM, attempt " + ctx.attempt());
                System.out.flush();
                Runtime.getRuntime().halt(Crashes.HALT_EXIT_CODE);
            }
            return input + "+done";
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }
}
