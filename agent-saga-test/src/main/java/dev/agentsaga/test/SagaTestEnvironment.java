package dev.agentsaga.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;

/**
 * What one test works with: a database of its own with the agent-saga tables, a {@link TestClock},
 * and the engine of the test, built on first use from what {@link #configure} registered. An engine
 * can be crashed in-process ({@link #crashes()}) and replaced by a new one over the same database
 * ({@link #restart()}), as a killed process is by a restarted one. {@link SagaTest} makes one per test;
 * {@link #open(SagaTest.Database)} makes one by hand, closed by {@link #close()}.
 */
public final class SagaTestEnvironment implements AutoCloseable {

    /** The node id of every engine of an environment, so that a restarted engine takes its sagas back at once. */
    public static final String NODE_ID = "test-node";

    /** How long the waits of an environment wait, in real time, unless told otherwise. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final TestDatabase database;

    private final TestClock clock = new TestClock();

    private final List<SagaEngine> engines = new CopyOnWriteArrayList<>();

    // the mismatches of the scripted models, kept as suppliers: the kit works without Spring AI on the class path
    private final List<Supplier<List<String>>> models = new CopyOnWriteArrayList<>();

    private Consumer<AgentSaga.Builder> configuration = builder -> {
    };

    private @Nullable SagaEngine engine;

    private @Nullable KillableDataSource engineDatabase;

    private @Nullable Crashes crashes;

    SagaTestEnvironment(SagaTest.Database database) {
        this.database = database == SagaTest.Database.POSTGRESQL ? TestDatabase.postgresql() : TestDatabase.h2();
    }

    /** An environment of one's own, outside {@link SagaTest}; close it when done. */
    public static SagaTestEnvironment open(SagaTest.Database database) {
        return new SagaTestEnvironment(Objects.requireNonNull(database, "database must not be null"));
    }

    /**
     * What every engine of this environment registers (actions, workflows, observers, settings), applied
     * after the test defaults (node id {@value #NODE_ID}, 10 ms polls, a one-hour lease, the test clock),
     * so it may change them. Call it before the first engine is built.
     */
    public SagaTestEnvironment configure(Consumer<AgentSaga.Builder> configuration) {
        if (engine != null) {
            throw new IllegalStateException("configure the environment before its first engine is built");
        }
        this.configuration = Objects.requireNonNull(configuration, "configuration must not be null");
        return this;
    }

    /** The running engine of the test, built and started on first use. */
    public synchronized SagaEngine engine() {
        if (engine == null) {
            KillableDataSource dataSource = new KillableDataSource(database.dataSource());
            Crashes points = new Crashes(dataSource);
            AgentSaga.Builder builder = AgentSaga.builder(dataSource).nodeId(NODE_ID).clock(clock)
                    .pollInterval(Duration.ofMillis(10)).leaseDuration(Duration.ofHours(1))
                    .tablePrefix(database.tablePrefix()).observer(points.observer());
            configuration.accept(builder);
            SagaEngine built = builder.build();
            built.startup();
            engines.add(built);
            engine = built;
            engineDatabase = dataSource;
            crashes = points;
        }
        return engine;
    }

    /** Starts a saga on the engine under a new id. */
    public SagaHandle start(String workflow, Object input) {
        return engine().start(workflow, input);
    }

    /** Starts a saga on the engine under the given id. */
    public SagaHandle start(String workflow, Object input, String sagaId) {
        return engine().start(workflow, input, sagaId);
    }

    /** The crash points of the current engine. */
    public synchronized Crashes crashes() {
        engine();
        return Objects.requireNonNull(crashes);
    }

    /** Waits until the current engine crashed at one of its crash points. */
    public void awaitCrash() {
        crashes().await(WAIT);
    }

    /**
     * Kills the current engine, as a killed process (its database connections die first, then its
     * threads), and starts a new one over the same database with the same node id: it takes the
     * sagas the old one held back at its first poll.
     */
    public synchronized SagaEngine restart() {
        if (engine != null) {
            Objects.requireNonNull(engineDatabase).kill();
            engine.shutdown(Duration.ZERO);
            engine = null;
        }
        return engine();
    }

    /**
     * Waits until the saga is COMPLETED, COMPENSATED, FAILED, COMPENSATION_FAILED or NEEDS_ATTENTION.
     * While it waits, a saga parked on a timer (a sleep, a signal's deadline) has the clock moved to its
     * wake-up at once, so that its time passes without the test waiting for it.
     * @throws AssertionError when it does not come to rest within {@link #WAIT}, when the engine crashed
     *     before it did, or when a scripted model received a request it did not expect
     */
    public SagaView awaitFinal(String sagaId) {
        return await(sagaId, SagaWaits.FINAL, true);
    }

    /**
     * Waits until the saga is in {@code status}, without moving the clock.
     * @throws AssertionError when it is not within {@link #WAIT}, or came to rest in another status
     */
    public SagaView awaitStatus(String sagaId, SagaStatus status) {
        return await(sagaId, EnumSet.of(status), false);
    }

    /** The saga as it stands. */
    public SagaView find(String sagaId) {
        return engine().find(sagaId).orElseThrow(() -> new AssertionError("No saga has the id " + sagaId));
    }

    /** The saga's journal, as {@link dev.agentsaga.SagaCoordinator#export} gives it. */
    public SagaExport export(String sagaId) {
        return engine().export(sagaId).orElseThrow(() -> new AssertionError("No saga has the id " + sagaId));
    }

    /** A new scripted chat model, whose mismatches fail the test when it ends. */
    public ScriptedChatModel scriptedModel() {
        ScriptedChatModel model = ScriptedChatModel.create();
        models.add(model::mismatches);
        return model;
    }

    /** The clock of every engine of this environment. */
    public TestClock clock() {
        return clock;
    }

    /** The test's database, for tables of its own and for looking at the journal. */
    public TestDatabase database() {
        return database;
    }

    /** The test's data source. */
    public DataSource dataSource() {
        return database.dataSource();
    }

    /**
     * Fails when a scripted model of this environment received a request its script did not expect.
     * @throws AssertionError with the expected and the received conversation
     */
    public void verify() {
        List<String> mismatches = new ArrayList<>();
        models.forEach(model -> mismatches.addAll(model.get()));
        if (!mismatches.isEmpty()) {
            throw new AssertionError(String.join("\n\n", mismatches));
        }
    }

    /** Stops the engines and drops the database. */
    @Override
    public void close() {
        try {
            for (SagaEngine built : engines) {
                if (built.isRunning()) {
                    built.shutdown(Duration.ofSeconds(1));
                }
            }
        }
        finally {
            database.close();
        }
    }

    private SagaView await(String sagaId, Set<SagaStatus> expected, boolean skipTime) {
        return SagaWaits.await(engine(), clock, sagaId, expected, skipTime, WAIT, () -> {
            verify();
            Crashes points = crashes;
            if (points != null && points.crashed()) {
                throw new AssertionError("The engine crashed " + points.crashedAt() + " before saga " + sagaId
                        + " reached " + expected + "; call restart() to resume it on a new engine");
            }
        });
    }
}
