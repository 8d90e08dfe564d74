package dev.agentsaga.crash;

import static dev.agentsaga.crash.CrashInvariants.assertEffectsAtMostOncePerKey;
import static dev.agentsaga.crash.CrashInvariants.assertKeysComeFromTheEngine;
import static dev.agentsaga.crash.CrashInvariants.assertNothingJournaledRanAgain;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.crash.CrashInvariants.JournalSnapshot;
import dev.agentsaga.crash.Downstream.Attempt;
import dev.agentsaga.crash.Downstream.Phase;
import dev.agentsaga.crash.RecordingActions.Env;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.TestDatabase;

/**
 * A child JVM runs 100 sagas at once on 32 workers with group commit on and is killed with SIGKILL while
 * their writes are being grouped; a fresh engine then recovers them. A kill during a batch loses the whole
 * batch, which must be the same as a crash before each of its writes: every saga completes, nothing the
 * journal had when the JVM died runs again, each effect happens once per idempotency key, and no saga ran a
 * step whose previous step was not journaled (a write is seen only once its batch committed).
 */
class GroupCommitCrashTest {

    private static final int SAGAS = 100;

    private static final int STEPS = ChaosWorkflow.COMPLETES.script().size();

    /** Journal rows (of {@code SAGAS * STEPS}) to wait for before the kill: sagas are then in flight. */
    private static final int KILL_AFTER_STEPS = 100;

    private static final Duration BOUND = Duration.ofSeconds(60);

    private static final String NODE = "group-commit-crash-node";

    private static final int KILLED_RUN = 1;

    private static final int RECOVERY_RUN = 2;

    /** The database the node runs on: a schema of its own on the test PostgreSQL. */
    TestDatabase createDatabase() {
        return TestDatabase.postgresql();
    }

    @Test
    void sagasOfABatchCutShortByAKillResumeFromTheirJournals() throws InterruptedException {
        TestDatabase schema = createDatabase();
        Downstream.createTables(schema.jdbc());
        Downstream downstream = new Downstream(schema.dataSource(), 0);
        // never started: it inserts the sagas PENDING for the node to claim, and reads them back
        SagaEngine driver = ChaosWorkflow.engine(schema.dataSource(), "group-commit-crash-driver",
                new Env(downstream, CrashPlan.NONE, Duration.ZERO), SagaObserver.NONE);
        Path logs = Path.of("target", "crash-logs", "group-commit-" + schema.name());
        ChaosNodeProcess node = null;
        boolean passed = false;
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SAGAS; i++) {
                String id = "gc-crash-" + i;
                driver.start(ChaosWorkflow.COMPLETES.workflowName(), id, id);
                ids.add(id);
            }

            node = ChaosNodeProcess.launch(logs, schema.jdbcUrl(), NODE, KILLED_RUN, List.of("32", "true"));
            awaitJournalRows(schema, node, KILL_AFTER_STEPS);
            node.kill();

            Map<String, JournalSnapshot> atKill = new LinkedHashMap<>();
            for (String id : ids) {
                atKill.put(id, JournalSnapshot.of(find(driver, id)));
            }
            long inFlight = atKill.values().stream()
                    .filter(journal -> !journal.settled().isEmpty() && journal.settled().size() < STEPS).count();
            long completedAtKill = schema.jdbc().queryForObject("SELECT count(*) FROM " + schema.tablePrefix()
                    + "instance WHERE status = 'COMPLETED'", Long.class);
            assertThat(inFlight).as("sagas with part of their journal written when the JVM died").isPositive();
            assertThat(completedAtKill).as("sagas completed when the JVM died").isLessThan(SAGAS);

            try (SagaEngine recovery = ChaosWorkflow.engine(schema.dataSource(), NODE,
                    new Env(new Downstream(schema.dataSource(), RECOVERY_RUN), CrashPlan.NONE,
                            ChaosWorkflow.STEP_PAUSE),
                    SagaObserver.NONE, builder -> builder.workerThreads(32).groupCommit(true))) {
                recovery.startup();
                awaitAllCompleted(schema);
            }

            ChaosInvariants invariants = new ChaosInvariants(Set.of(KILLED_RUN));
            int rerun = 0;
            for (String id : ids) {
                SagaView view = find(driver, id);
                List<Attempt> attempts = downstream.attempts(id);
                invariants.check(id, ChaosWorkflow.COMPLETES, view, attempts, downstream.effects(id), false);
                JournalSnapshot journal = atKill.get(id);
                assertThat(journal.settled()).as("journal of %s when the JVM died: a prefix of the script", id)
                        .containsExactlyElementsOf(range(journal.settled().size()));
                int lastAttempted = attempts.stream()
                        .filter(attempt -> attempt.run() == KILLED_RUN && attempt.phase() == Phase.EXECUTE)
                        .mapToInt(Attempt::step).max().orElse(0);
                assertThat(lastAttempted).as("last step %s began in the killed JVM, with steps %s journaled: a step "
                        + "begins only once the previous one is committed", id, journal.settled())
                        .isLessThanOrEqualTo(journal.settled().size() + 1);
                assertNothingJournaledRanAgain(attempts, Map.of(RECOVERY_RUN, journal), Set.of());
                assertEffectsAtMostOncePerKey(downstream.effects(id));
                assertKeysComeFromTheEngine(id, attempts);
                rerun += (int) attempts.stream().filter(attempt -> attempt.run() == RECOVERY_RUN
                        && attempt.step() <= lastAttempted).count();
            }
            System.out.printf("group commit crash: %d sagas, %d completed and %d in flight at the kill, %d steps "
                    + "begun again after it%n", SAGAS, completedAtKill, inFlight, rerun);
            assertThat(invariants.violations()).as("violations").isEmpty();
            passed = true;
        }
        catch (AssertionError | RuntimeException ex) {
            throw new AssertionError(ex.getMessage() + "\n\nschema " + schema.name() + " kept\n"
                    + (node == null ? "" : node.describe()), ex);
        }
        finally {
            if (node != null && node.isAlive()) {
                node.kill();
            }
            driver.shutdown(Duration.ZERO);
            if (passed) {
                schema.close();
            }
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> seqs = new ArrayList<>();
        for (int seq = 1; seq <= n; seq++) {
            seqs.add(seq);
        }
        return seqs;
    }

    private static SagaView find(SagaEngine engine, String id) {
        return engine.find(id).orElseThrow(() -> new AssertionError("saga " + id + " is not in the journal"));
    }

    /** Waits, bounded, until the journal has {@code rows} entries; fails when the node dies first. */
    private static void awaitJournalRows(TestDatabase schema, ChaosNodeProcess node, int rows)
            throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (count(schema, "SELECT count(*) FROM " + schema.tablePrefix() + "step") < rows) {
            if (!node.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the node did not journal " + rows + " steps within " + BOUND + "\n"
                        + node.describe());
            }
            Thread.sleep(10);
        }
    }

    /** Waits, bounded, until no saga of the schema is unfinished; fails with the ones that are not. */
    private static void awaitAllCompleted(TestDatabase schema) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        String table = schema.tablePrefix() + "instance";
        while (count(schema, "SELECT count(*) FROM " + table + " WHERE status <> 'COMPLETED'") > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sagas not completed " + BOUND + " after the recovery started: "
                        + schema.jdbc().queryForList("SELECT concat_ws(' ', id, status, coalesce(error, '')) FROM "
                                + table + " WHERE status <> 'COMPLETED' ORDER BY id LIMIT 20", String.class));
            }
            Thread.sleep(100);
        }
        assertThat(count(schema, "SELECT count(*) FROM " + table + " WHERE status = '" + SagaStatus.COMPLETED + "'"))
                .isEqualTo(SAGAS);
    }

    private static long count(TestDatabase schema, String sql) {
        Long count = schema.jdbc().queryForObject(sql, Long.class);
        return count == null ? 0 : count;
    }
}
