package dev.agentsaga.crash;

import static dev.agentsaga.crash.CrashInvariants.assertCompensatedInReverse;
import static dev.agentsaga.crash.CrashInvariants.assertCompleted;
import static dev.agentsaga.crash.CrashInvariants.assertEffectsAtMostOncePerKey;
import static dev.agentsaga.crash.CrashInvariants.assertKeysComeFromTheEngine;
import static dev.agentsaga.crash.CrashInvariants.assertNoAttemptEndedTwice;
import static dev.agentsaga.crash.CrashInvariants.assertNothingJournaledRanAgain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import dev.agentsaga.Resolution;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.crash.CrashInvariants.JournalSnapshot;
import dev.agentsaga.crash.CrashPlan.Moment;
import dev.agentsaga.crash.CrashWorker.Mode;
import dev.agentsaga.crash.Downstream.Attempt;
import dev.agentsaga.crash.Downstream.Effect;
import dev.agentsaga.crash.Downstream.Phase;
import dev.agentsaga.crash.RecordingActions.Env;
import dev.agentsaga.test.TestDatabase;

/**
 * Kills a real child JVM running a saga at chosen and random points, lets a second JVM recover it, and
 * checks the invariants of the design: nothing journaled runs again, each effect and each undo happens
 * at most once per idempotency key, compensations run in reverse order, an IRREVERSIBLE step caught
 * between intent and result waits for an operator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryTest {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    private static final String COMPLETED_OUTPUT = "reserve-1,lookup-2,charge-3,book-4,notify-5";

    private static final String IRREVERSIBLE_OUTPUT = "reserve-1,lookup-2,sendEmail-3,charge-4,notify-5";

    private TestDatabase schema;

    private Downstream downstream;

    /** Never started: the test JVM only reads the sagas through it while children run them. */
    private SagaEngine reader;

    /** The database the children run on: a schema of its own on the test PostgreSQL. */
    TestDatabase createDatabase() {
        return TestDatabase.postgresql();
    }

    /** Whether the server of {@link #createDatabase()} is there to test against; PostgreSQL always is. */
    boolean databaseAvailable() {
        return true;
    }

    @BeforeAll
    void createSchema() {
        if (!databaseAvailable()) {
            return;
        }
        schema = createDatabase();
        Downstream.createTables(schema.jdbc());
        downstream = new Downstream(schema.dataSource(), 0);
        reader = CrashScenario.engine(schema.dataSource(), "crash-test-reader",
                new Env(downstream, CrashPlan.NONE, Duration.ZERO));
    }

    @BeforeEach
    void skipWithoutDatabase() {
        if (schema == null) {
            // no server: asking for a database again aborts the test with the reason (JUnit reports it skipped)
            createDatabase();
        }
    }

    @AfterAll
    void dropSchema() {
        if (schema != null) {
            schema.close();
        }
    }

    static Stream<Arguments> killsInsideAStep() {
        return Stream.of(
                arguments("inside step 1 of a saga that completes", CrashScenario.COMPLETES,
                        CrashPlan.execute(1, Moment.AFTER_EFFECT)),
                arguments("inside step 5 of a saga that completes", CrashScenario.COMPLETES,
                        CrashPlan.execute(5, Moment.AFTER_EFFECT)),
                arguments("inside step 3 of a saga that compensates", CrashScenario.COMPENSATES,
                        CrashPlan.execute(3, Moment.AFTER_EFFECT)),
                arguments("inside the second compensation (of step 4)", CrashScenario.COMPENSATES,
                        CrashPlan.compensate(4, Moment.AFTER_EFFECT)));
    }

    @ParameterizedTest(name = "killed {0}")
    @MethodSource("killsInsideAStep")
    void recoveryNeitherLosesNorRepeatsWork(String description, CrashScenario scenario, CrashPlan plan) {
        String sagaId = newSagaId(scenario);

        WorkerProcess first = WorkerProcess.launch(schema.jdbcUrl(), sagaId, scenario, 1, Mode.START, plan);
        assertThat(first.awaitExit(CHILD_TIMEOUT)).as(first::describe).isEqualTo(CrashPlan.HALT_EXIT_CODE);
        SagaView atCrash = find(sagaId);
        assertJournalAtCrash(atCrash, plan);
        WorkerProcess second = WorkerProcess.launch(schema.jdbcUrl(), sagaId, scenario, 2, Mode.RECOVER,
                CrashPlan.NONE);
        assertThat(second.awaitExit(CHILD_TIMEOUT)).as(second::describe).isZero();

        SagaView view = find(sagaId);
        List<Attempt> attempts = downstream.attempts(sagaId);
        List<Effect> effects = downstream.effects(sagaId);
        if (scenario == CrashScenario.COMPLETES) {
            assertCompleted(view, 5, attempts, effects);
            assertThat(view.output()).contains(COMPLETED_OUTPUT);
        }
        else {
            assertCompensatedInReverse(view, 6, 6, attempts, effects);
        }
        assertNothingJournaledRanAgain(attempts, Map.of(2, JournalSnapshot.of(atCrash)), Set.of());
        assertNoAttemptEndedTwice(attempts);
        assertEffectsAtMostOncePerKey(effects);
        assertKeysComeFromTheEngine(sagaId, attempts);
        assertThat(attempts).as("the attempt cut short by the crash is repeated under its key")
                .filteredOn(attempt -> attempt.step() == plan.step() && attempt.phase() == plan.phase())
                .extracting(Attempt::run).containsExactly(1, 2);
    }

    /** How the operator decides the in-doubt step, and where the first JVM died to make that decision true. */
    enum Decision {
        HAPPENED(Moment.AFTER_EFFECT, Resolution.happened("sendEmail-3").withNote("the mail server logged it")),
        RETRY_STEP(Moment.BEFORE_EFFECT, Resolution.retryStep().withNote("the mail server never saw it"));

        private final Moment crash;

        private final Resolution resolution;

        Decision(Moment crash, Resolution resolution) {
            this.crash = crash;
            this.resolution = resolution;
        }
    }

    @ParameterizedTest(name = "operator decides {0}")
    @EnumSource(Decision.class)
    void irreversibleStepCaughtBetweenIntentAndResultWaitsForTheOperator(Decision decision) {
        String sagaId = newSagaId(CrashScenario.IRREVERSIBLE);
        Map<Integer, JournalSnapshot> journalBeforeRun = new HashMap<>();

        WorkerProcess first = WorkerProcess.launch(schema.jdbcUrl(), sagaId, CrashScenario.IRREVERSIBLE, 1, Mode.START,
                CrashPlan.execute(3, decision.crash));
        assertThat(first.awaitExit(CHILD_TIMEOUT)).as(first::describe).isEqualTo(CrashPlan.HALT_EXIT_CODE);
        SagaView atCrash = find(sagaId);
        assertThat(atCrash.steps()).as("journal when the JVM died inside the IRREVERSIBLE step")
                .extracting(StepView::seq, StepView::status, StepView::reversibility)
                .containsExactly(tuple(1, StepStatus.SUCCEEDED, Reversibility.COMPENSABLE),
                        tuple(2, StepStatus.SUCCEEDED, Reversibility.READ_ONLY),
                        tuple(3, StepStatus.STARTED, Reversibility.IRREVERSIBLE));
        journalBeforeRun.put(2, JournalSnapshot.of(atCrash));
        WorkerProcess second = WorkerProcess.launch(schema.jdbcUrl(), sagaId, CrashScenario.IRREVERSIBLE, 2,
                Mode.RECOVER, CrashPlan.NONE);
        assertThat(second.awaitExit(CHILD_TIMEOUT)).as(second::describe).isZero();
        SagaView inDoubt = find(sagaId);
        assertThat(inDoubt.status()).as("status after recovery, error %s", inDoubt.error())
                .isEqualTo(SagaStatus.NEEDS_ATTENTION);
        assertThat(inDoubt.errorStep()).as("the step in doubt").isEqualTo(3);
        assertThat(inDoubt.error()).as("why the saga needs attention")
                .satisfiesAnyOf(error -> assertThat(error).contains("sendEmail"),
                        error -> assertThat(error).containsIgnoringCase("step 3"));
        journalBeforeRun.put(3, JournalSnapshot.of(inDoubt));

        SagaView view;
        try (SagaEngine operator = CrashScenario.engine(schema.dataSource(), "crash-test-operator",
                new Env(new Downstream(schema.dataSource(), 3), CrashPlan.NONE, Duration.ZERO))) {
            operator.startup();
            operator.resolve(sagaId, decision.resolution);
            view = awaitRest(operator, sagaId, status -> status != SagaStatus.NEEDS_ATTENTION);
        }

        List<Attempt> attempts = downstream.attempts(sagaId);
        List<Effect> effects = downstream.effects(sagaId);
        assertCompleted(view, 5, attempts, effects);
        assertThat(view.output()).contains(IRREVERSIBLE_OUTPUT);
        int runThatSent = decision == Decision.HAPPENED ? 1 : 3;
        assertThat(effects).as("e-mails sent").filteredOn(effect -> effect.step() == 3).extracting(Effect::run)
                .containsExactly(runThatSent);
        assertThat(attempts).as("runs that executed the IRREVERSIBLE step")
                .filteredOn(attempt -> attempt.step() == 3).extracting(Attempt::run)
                .containsExactlyElementsOf(decision == Decision.HAPPENED ? List.of(1) : List.of(1, 3));
        assertNothingJournaledRanAgain(attempts, journalBeforeRun,
                decision == Decision.RETRY_STEP ? Set.of(3) : Set.of());
        assertNoAttemptEndedTwice(attempts);
        assertEffectsAtMostOncePerKey(effects);
        assertKeysComeFromTheEngine(sagaId, attempts);
    }

    @Test
    void invariantsHoldWhenKilledAtRandomMoments() throws InterruptedException {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        String sagaId = newSagaId(CrashScenario.LONG);
        Map<Integer, JournalSnapshot> journalBeforeRun = new HashMap<>();
        int kills = 0;

        for (int run = 1; run <= 3; run++) {
            if (run > 1) {
                journalBeforeRun.put(run, JournalSnapshot.of(find(sagaId)));
            }
            WorkerProcess worker = WorkerProcess.launch(schema.jdbcUrl(), sagaId, CrashScenario.LONG, run,
                    run == 1 ? Mode.START : Mode.RECOVER, CrashPlan.NONE);
            awaitFirstAttemptOrExit(worker, sagaId, run);
            Thread.sleep(random.nextInt(700));
            if (worker.isAlive()) {
                assertThat(worker.kill()).as("exit code of a worker killed with SIGKILL").isNotZero();
                kills++;
            }
            else {
                assertThat(worker.awaitExit(CHILD_TIMEOUT)).as(worker::describe).isZero();
            }
        }
        journalBeforeRun.put(4, JournalSnapshot.of(find(sagaId)));
        WorkerProcess last = WorkerProcess.launch(schema.jdbcUrl(), sagaId, CrashScenario.LONG, 4, Mode.RECOVER,
                CrashPlan.NONE);
        assertThat(last.awaitExit(CHILD_TIMEOUT)).as(last::describe).isZero();

        String context = "seed " + seed + " (rerun with -Dcrash.seed=" + seed + ")";
        assertThat(kills).as("workers killed while working, " + context).isPositive();
        SagaView view = find(sagaId);
        List<Attempt> attempts = downstream.attempts(sagaId);
        List<Effect> effects = downstream.effects(sagaId);
        int steps = CrashScenario.LONG_STEPS + 1;
        assertCompensatedInReverse(view, steps, steps, attempts, effects);
        assertNothingJournaledRanAgain(attempts, journalBeforeRun, Set.of());
        assertEffectsAtMostOncePerKey(effects);
        assertKeysComeFromTheEngine(sagaId, attempts);
    }

    private void assertJournalAtCrash(SagaView atCrash, CrashPlan plan) {
        Map<Integer, StepStatus> statuses = new HashMap<>();
        atCrash.steps().forEach(step -> statuses.put(step.seq(), step.status()));
        if (plan.phase() == Phase.EXECUTE) {
            Map<Integer, StepStatus> expected = new HashMap<>();
            for (int seq = 1; seq < plan.step(); seq++) {
                expected.put(seq, StepStatus.SUCCEEDED);
            }
            assertThat(statuses).as("journal when the JVM died inside step %d: every earlier step journaled, "
                    + "nothing after", plan.step()).isEqualTo(expected);
        }
        else {
            assertThat(statuses).as("journal when the JVM died compensating step %d", plan.step())
                    .containsEntry(6, StepStatus.FAILED)
                    .containsEntry(5, StepStatus.COMPENSATED)
                    .containsEntry(4, StepStatus.COMPENSATING)
                    .containsEntry(3, StepStatus.SUCCEEDED)
                    .containsEntry(1, StepStatus.SUCCEEDED);
        }
    }

    private void awaitFirstAttemptOrExit(WorkerProcess worker, String sagaId, int run) throws InterruptedException {
        long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
        while (worker.isAlive() && !downstream.anyAttempt(sagaId, run)) {
            if (System.nanoTime() > deadline) {
                worker.kill();
                throw new AssertionError("Worker run " + run + " did no work within " + CHILD_TIMEOUT + "\n"
                        + worker.describe());
            }
            Thread.sleep(20);
        }
    }

    private SagaView find(String sagaId) {
        return reader.find(sagaId).orElseThrow(() -> new AssertionError("No saga " + sagaId + " in the journal"));
    }

    private static SagaView awaitRest(SagaCoordinator coordinator, String sagaId, Predicate<SagaStatus> moved) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SagaView view = coordinator.find(sagaId).orElseThrow();
        while (System.nanoTime() < deadline
                && !(CrashWorker.RESTING.contains(view.status()) && moved.test(view.status()))) {
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for saga " + sagaId, ex);
            }
            view = coordinator.find(sagaId).orElseThrow();
        }
        return view;
    }

    private static String newSagaId(CrashScenario scenario) {
        return scenario.name().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
