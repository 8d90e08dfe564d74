package dev.agentsaga.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.Resolution;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.crash.Downstream.Kind;
import dev.agentsaga.crash.RecordingActions.Env;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.TestDatabase;

/**
 * Three node JVMs on one database run sagas of every {@link ChaosWorkflow} (compensations, IRREVERSIBLE
 * steps, durable sleeps, signals) while the driver kills a node with SIGKILL every 2 to 3 seconds and
 * starts it again under the same node id. Afterwards, read from the journal and the downstream tables:
 * no saga is lost or stuck, each is COMPLETED or COMPENSATED as its workflow says, or NEEDS_ATTENTION only
 * with an in-doubt IRREVERSIBLE step (which the test resolves, after which the saga finishes), and the
 * {@link ChaosInvariants} hold. It prints its figures on one line, for example
 * {@code chaos: sagas=500 kills=12 recoveries=106 duration=41.5s (steps cut short 53, in doubt 4, seed ...)}:
 * recoveries are the claims of a saga that was RUNNING or COMPENSATING under another run's lease, counted
 * from the line each {@link ChaosNode} prints per such claim; steps cut short are attempts a kill
 * interrupted inside the action; in doubt are the IRREVERSIBLE steps the test had to resolve.
 *
 * <p>The test JVM starts the sagas through an engine it never starts: they are inserted PENDING and the
 * nodes claim them. It sends the signals through the same engine, and resolves in-doubt steps as an
 * operator who can look downstream would: {@code happened} when the e-mail went out, else {@code retryStep}.
 *
 * <p>The default is the CI setting: 240 sagas, 5 kills, 35 to 55 s on two cores. The full setting (500
 * sagas, 12 kills, about a minute) is run by hand:
 * <pre>
 * AGENT_SAGA_TEST_JDBC_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' \
 *   ./mvnw -o -pl engine-tests -am test -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dchaos.sagas=500 -Dchaos.kills=12
 * </pre>
 * {@code -Dchaos.seed=N} repeats a run's choices (which node dies when, the order of starts and signals);
 * the timing of the JVMs is not repeatable. Node logs are under {@code target/chaos-logs/<schema>/}.
 */
class ChaosTest {

    private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(Long.getLong("chaos.settleSeconds", 60));

    private final int sagaCount = Integer.getInteger("chaos.sagas", defaultSagaCount());

    private final int killCount = Integer.getInteger("chaos.kills", defaultKillCount());

    private final long seed = Long.getLong("chaos.seed", System.nanoTime());

    private final Random random = new Random(seed);

    /** Saga id to workflow, in start order. */
    private final Map<String, ChaosWorkflow> sagas = new LinkedHashMap<>();

    private TestDatabase schema;

    private ChaosCluster cluster;

    private SagaEngine driver;

    private boolean mariadb;

    /** The database the nodes share: a schema of its own on the test PostgreSQL. */
    TestDatabase createDatabase() {
        return TestDatabase.postgresql();
    }

    /** How many sagas a run starts unless {@code -Dchaos.sagas} says otherwise. */
    int defaultSagaCount() {
        return 240;
    }

    /** How many nodes a run kills unless {@code -Dchaos.kills} says otherwise. */
    int defaultKillCount() {
        return 5;
    }

    @Test
    void sagasSurviveNodesKilledAtRandom() throws InterruptedException {
        schema = createDatabase();
        mariadb = Downstream.isMariaDb(schema.jdbc());
        Downstream.createTables(schema.jdbc());
        cluster = new ChaosCluster(Path.of("target", "chaos-logs", schema.name()), schema.jdbcUrl());
        driver = ChaosWorkflow.engine(schema.dataSource(), "chaos-driver",
                new Env(new Downstream(schema.dataSource(), 0), CrashPlan.NONE, Duration.ZERO), SagaObserver.NONE);
        boolean passed = false;
        try {
            long begin = System.nanoTime();
            cluster.start(NODE_START_TIMEOUT);
            List<String> signalFailures = drive();
            awaitQuiet("after the last kill");
            long recoveries = cluster.recoveries();
            Map<String, Resolution.Outcome> resolutions = new LinkedHashMap<>();
            List<String> strayAttention = resolveInDoubt(resolutions);
            awaitQuiet("after resolving " + resolutions.size() + " in-doubt steps");
            double seconds = (System.nanoTime() - begin) / 1e9;
            cluster.assertAlive();
            cluster.stop();
            Integer cutShort = schema.jdbc().queryForObject(
                    "SELECT count(*) FROM crash_attempt WHERE outcome IS NULL", Integer.class);
            System.out.printf("chaos: sagas=%d kills=%d recoveries=%d duration=%.1fs (steps cut short %d, in doubt %d, "
                    + "taken over from a paused node %d, seed %d)%n", sagas.size(), cluster.killedRuns().size(),
                    recoveries, seconds, cutShort, resolutions.size(), cluster.takenOver().size(), seed);

            ChaosInvariants invariants = new ChaosInvariants(cluster.killedRuns(), cluster.takenOver());
            signalFailures.forEach(invariants::violation);
            strayAttention.forEach(invariants::violation);
            checkEverySaga(invariants, resolutions);

            List<String> violations = invariants.violations();
            assertThat(cluster.killedRuns()).as("nodes killed").hasSize(killCount);
            assertThat(recoveries).as("sagas recovered from killed nodes").isPositive();
            assertThat(violations).as("%d violations (seed %d, rerun with -Dchaos.seed=%d), the first 40:%n%s",
                    violations.size(), seed, seed, String.join("\n", violations.subList(0,
                            Math.min(40, violations.size())))).isEmpty();
            passed = true;
        }
        catch (AssertionError | RuntimeException ex) {
            throw new AssertionError(ex.getMessage() + "\n\nschema " + schema.name() + " kept; seed " + seed + "\n"
                    + cluster.describe(), ex);
        }
        finally {
            cluster.stop();
            driver.shutdown(Duration.ZERO);
            if (passed) {
                schema.close();
            }
        }
    }

    /**
     * Starts the sagas spread evenly over the chaos window (a kill every 2 to 3 s), sends each waiting
     * workflow its signal 0.3 to 3 s after its start, and kills and restarts a node when one is due.
     * @return the signals the engine refused
     */
    private List<String> drive() throws InterruptedException {
        ChaosWorkflow[] workflows = ChaosWorkflow.values();
        List<String> failures = new ArrayList<>();
        long window = killCount * 2500L;
        long start = System.nanoTime();
        long nextKill = 2000 + random.nextInt(1001);
        Map<String, Long> signalsDue = new LinkedHashMap<>();
        int started = 0;
        while (started < sagaCount || !signalsDue.isEmpty() || cluster.killedRuns().size() < killCount) {
            long now = (System.nanoTime() - start) / 1_000_000;
            while (started < sagaCount && started * window / sagaCount <= now) {
                ChaosWorkflow workflow = workflows[started % workflows.length];
                String id = "chaos-" + started + "-" + workflow.name().toLowerCase();
                driver.start(workflow.workflowName(), id, id);
                sagas.put(id, workflow);
                if (workflow.awaitsSignal()) {
                    signalsDue.put(id, now + 300 + random.nextInt(2701));
                }
                started++;
            }
            signalsDue.entrySet().removeIf(due -> due.getValue() <= now && signal(due.getKey(), failures));
            if (cluster.killedRuns().size() < killCount && now >= nextKill) {
                cluster.killAndRestart(random, schema.jdbc().queryForList("SELECT DISTINCT owner FROM "
                        + table("instance") + " WHERE status IN ('RUNNING', 'COMPENSATING') AND lease_expires_at > "
                        // MariaDB's timestamps are in UTC without a zone
                        + (mariadb ? "UTC_TIMESTAMP(6)" : "now()"), String.class));
                nextKill = now + 2000 + random.nextInt(1001);
            }
            Thread.sleep(20);
        }
        return failures;
    }

    private boolean signal(String sagaId, List<String> failures) {
        try {
            driver.signal(sagaId, ChaosWorkflow.GO, ChaosWorkflow.signalPayload(sagaId));
        }
        catch (AgentSagaException ex) {
            failures.add(sagaId + ": the signal was refused: " + ex.getMessage());
        }
        return true;
    }

    /**
     * Decides every in-doubt IRREVERSIBLE step as an operator who checked downstream: the e-mail went out,
     * or it did not and is sent again.
     * @return the sagas that need attention for another reason: violations
     */
    private List<String> resolveInDoubt(Map<String, Resolution.Outcome> resolutions) {
        List<String> stray = new ArrayList<>();
        Downstream downstream = new Downstream(schema.dataSource(), 0);
        List<String> attention = schema.jdbc().queryForList("SELECT id FROM " + table("instance")
                + " WHERE status = 'NEEDS_ATTENTION' ORDER BY id", String.class);
        for (String id : attention) {
            SagaView view = driver.find(id).orElseThrow();
            StepView inDoubt = view.steps().stream()
                    .filter(step -> step.kind() == StepKind.ACTION && step.status() == StepStatus.STARTED
                            && step.reversibility() == Reversibility.IRREVERSIBLE)
                    .findFirst().orElse(null);
            if (inDoubt == null) {
                stray.add(id + " NEEDS_ATTENTION without an in-doubt IRREVERSIBLE step: " + view.error());
                continue;
            }
            boolean sent = downstream.effects(id).stream()
                    .anyMatch(effect -> effect.step() == inDoubt.seq() && effect.kind() == Kind.DO);
            Resolution resolution = sent ? Resolution.happened(inDoubt.name() + "-" + inDoubt.seq())
                    : Resolution.retryStep();
            driver.resolve(id, resolution.withNote("chaos test: checked downstream"));
            resolutions.put(id, resolution.outcome());
        }
        return stray;
    }

    private void checkEverySaga(ChaosInvariants invariants, Map<String, Resolution.Outcome> resolutions) {
        Downstream downstream = new Downstream(schema.dataSource(), 0);
        sagas.forEach((id, workflow) -> {
            SagaView view = driver.find(id).orElse(null);
            if (view == null) {
                invariants.violation(id + " (" + workflow + ") is lost: it is not in the journal");
                return;
            }
            invariants.check(id, workflow, view, downstream.attempts(id), downstream.effects(id),
                    resolutions.get(id) == Resolution.Outcome.RETRY);
        });
    }

    /** Waits, bounded, until no saga is PENDING, RUNNING, WAITING or COMPENSATING; fails with the stuck ones. */
    private void awaitQuiet(String when) throws InterruptedException {
        String active = " FROM " + table("instance")
                + " i WHERE status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPENSATING')";
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        Integer count;
        while ((count = schema.jdbc().queryForObject("SELECT count(*)" + active, Integer.class)) != null && count > 0) {
            cluster.assertAlive();
            if (System.nanoTime() > deadline) {
                List<String> stuck = schema.jdbc().query("SELECT id, status, owner, lease_expires_at, wake_at, "
                        + "(SELECT " + (mariadb ? "group_concat(concat_ws(' ', name, 'sent', created_at) SEPARATOR ', ')"
                                : "string_agg(concat_ws(' ', name, 'sent', created_at), ', ')") + " FROM " + table("signal")
                        + " s WHERE s.saga_id = i.id AND s.consumed_seq IS NULL)" + active + " ORDER BY id LIMIT 20",
                        (rs, row) -> rs.getString(1) + " " + rs.getString(2) + " owner " + rs.getString(3)
                                + " lease " + rs.getString(4) + " wake " + rs.getString(5) + " unconsumed signals "
                                + rs.getString(6));
                throw new AssertionError(count + " sagas still active " + SETTLE_TIMEOUT + " " + when + ":\n  "
                        + String.join("\n  ", stuck));
            }
            Thread.sleep(200);
        }
    }

    private String table(String name) {
        return schema.tablePrefix() + name;
    }
}
