package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaFleet;
import dev.agentsaga.store.jdbc.SchemaInitializer;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * A rolling upgrade of workflow {@code order} from version 1 to version 2 under load, on one database.
 * Node "old" runs version 1 while sagas keep starting; the next release's changelog (the shipped one and
 * one more change set) is applied while "old" runs them; node "new" starts with version 2 and takes over
 * the starts; "old" stops while version-1 sagas sleep; later "old-2", a node of the older release, starts
 * and finishes them. It proves that:
 * <ul>
 * <li>a saga's steps run only on nodes of its version, and a saga gets the version of the node it is
 * started through;</li>
 * <li>while no running node runs version 1, {@code fleet()} shows its unfinished sagas as unserved, with
 * their count, and "new" leaves them alone;</li>
 * <li>nodes of the older release go on running, and start, on the schema with the newer change set;</li>
 * <li>every saga completes, each step once and in journal order.</li>
 * </ul>
 */
class RollingUpgradeTest {

    static final String WORKFLOW = "order";

    /** Long enough that version-1 sagas still sleep when "old" stops. */
    static final Duration V1_SLEEP = Duration.ofSeconds(3);

    static final Duration V2_SLEEP = Duration.ofMillis(500);

    static final Map<String, List<String>> SCRIPTS = Map.of(
            "1", List.of("reserve", "sleep", "charge"),
            "2", List.of("reserve", "screen", "sleep", "charge"));

    /** The shipped changelog and one change set more, as the next release would ship it. */
    static final String NEXT_CHANGELOG = "rolling-upgrade/db.changelog-next.xml";

    static final Duration PACE = Duration.ofMillis(40);

    static final Duration WAIT = Duration.ofSeconds(30);

    private TestDatabase database;

    private Nodes nodes;

    private Sagas sagas;

    private StartLoad load;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.emptyPostgresql();
        nodes = new Nodes(database);
        sagas = new Sagas(database);
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (load != null) {
            load.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aRollingUpgradeFromVersion1To2UnderLoad() throws Exception {
        long begin = System.nanoTime();
        SagaEngine old = nodes.start("old", "1", true);
        load = new StartLoad(WORKFLOW, old, PACE);
        load.awaitStarted(20, WAIT);

        applyNextChangelog();
        long v1Completed = sagas.count("1", "= 'COMPLETED'");
        SagaEngine upgraded = nodes.start("new", "2", false);
        load.switchTo(upgraded);
        sagas.await("version-1 sagas completed by old after the change set", "1", "= 'COMPLETED'",
                n -> n >= v1Completed + 3);
        sagas.await("version-2 sagas completed", "2", "= 'COMPLETED'", n -> n >= 5);
        long unserved = stopOldWhileVersion1SagasSleep(old, upgraded);
        long drainMillis = startOld2AndDrainVersion1(upgraded);
        load.close();
        sagas.await("sagas not completed", null, "<> 'COMPLETED'", n -> n == 0);

        long lost = load.startedOn.keySet().stream().filter(id -> sagas.version(id) == null).count();
        long stuck = sagas.count(null, "<> 'COMPLETED'");
        long doubled = nodes.log.doubled();
        long misordered = nodes.log.misordered(SCRIPTS);
        // the faults: the change set applied under load, and the old node stopped with sagas in flight
        System.out.printf("rolling upgrade: sagas %d (v1 %d, v2 %d), faults injected %d, lost %d, doubled %d, "
                + "misordered %d, stuck %d, unserved while no node ran v1 %d, old-2 started and drained them in "
                + "%d ms, in %d ms%n", sagas.count(null, "IS NOT NULL"), sagas.count("1", "IS NOT NULL"),
                sagas.count("2", "IS NOT NULL"), 2, lost, doubled, misordered, stuck, unserved, drainMillis,
                Duration.ofNanos(System.nanoTime() - begin).toMillis());
        assertThat(load.failures).as("starts that failed").isEmpty();
        assertThat(lost + doubled + misordered + stuck).as("lost, doubled, misordered, stuck").isZero();
        load.startedOn.forEach((id, node) -> assertThat(sagas.version(id)).as("version of saga %s started on %s",
                id, node).isEqualTo(node.equals("new") ? "2" : "1"));
        assertThat(nodes.log.ranByAnotherVersion()).as("steps run by a node of another version").isZero();
        assertThat(nodes.log.nodesThatRan("1")).containsExactly("old", "old-2");
        assertThat(nodes.log.nodesThatRan("2")).containsExactly("new");
    }

    /**
     * Stops "old" while version-1 sagas sleep; checks that {@code fleet()} shows them unserved and that "new"
     * leaves them alone once they are due. Returns how many there are.
     */
    private long stopOldWhileVersion1SagasSleep(SagaEngine old, SagaEngine upgraded) throws InterruptedException {
        assertThat(sagas.count("1", Sagas.UNFINISHED)).as("version-1 sagas asleep when old stops").isPositive();

        old.shutdown(Duration.ofSeconds(5));
        long unfinished = sagas.count("1", Sagas.UNFINISHED);
        assertOnlyNewRunsAndVersion1IsUnserved(upgraded.fleet(), unfinished);
        pauseUntilEveryVersion1SagaIsDue();

        assertThat(sagas.count("1", Sagas.UNFINISHED)).as("version-1 sagas left alone by new").isEqualTo(unfinished);
        assertThat(sagas.ownedBy("new", "1")).as("version-1 sagas claimed by new").isZero();
        assertThat(nodes.log.nodesThatRan("1")).doesNotContain("new");
        assertThat(upgraded.fleet().unservedSagas()).isEqualTo(unfinished);
        return unfinished;
    }

    /** The fleet right after "old" stopped: "new" alone, version 2 served by it, version 1 by nobody. */
    private static void assertOnlyNewRunsAndVersion1IsUnserved(SagaFleet fleet, long unfinishedV1) {
        assertThat(fleet.nodes()).singleElement().satisfies(node -> {
            assertThat(node.id()).isEqualTo("new");
            assertThat(node.running()).isTrue();
            assertThat(node.workflows()).isEqualTo(Map.of(WORKFLOW, "2"));
        });
        assertThat(fleet.unserved()).singleElement().satisfies(version -> {
            assertThat(version.workflow()).isEqualTo(WORKFLOW);
            assertThat(version.version()).isEqualTo("1");
            assertThat(version.unfinished()).isEqualTo(unfinishedV1);
        });
        assertThat(fleet.unservedSagas()).isEqualTo(unfinishedV1);
        assertThat(fleet.versions()).filteredOn(version -> version.version().equals("2")).singleElement()
                .satisfies(version -> assertThat(version.runningOn()).containsExactly("new"));
    }

    /** Waits a couple of seconds at least, and until every sleeping version-1 saga has been due for a second. */
    private void pauseUntilEveryVersion1SagaIsDue() throws InterruptedException {
        Instant lastDue = sagas.lastWake("1");
        Instant until = Instant.now().plusSeconds(2);
        if (lastDue != null && lastDue.plusSeconds(1).isAfter(until)) {
            until = lastDue.plusSeconds(1);
        }
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), until).toMillis()));
    }

    /**
     * Starts "old-2", which applies the shipped changelog (without the newer change set) as it starts, and
     * waits until it has finished the version-1 sagas; returns how long that took.
     */
    private long startOld2AndDrainVersion1(SagaEngine upgraded) throws InterruptedException {
        long begin = System.nanoTime();
        nodes.start("old-2", "1", true);
        sagas.await("unfinished version-1 sagas", "1", Sagas.UNFINISHED, n -> n == 0);
        long millis = Duration.ofNanos(System.nanoTime() - begin).toMillis();

        SagaFleet fleet = upgraded.fleet();
        assertThat(fleet.unserved()).isEmpty();
        assertThat(fleet.nodes()).extracting(SagaFleet.Node::id).containsExactly("new", "old-2");
        assertThat(fleet.nodes()).allMatch(SagaFleet.Node::running);
        return millis;
    }

    /** Applies {@link #NEXT_CHANGELOG} with Liquibase on a connection of its own, as a deployment would. */
    private void applyNextChangelog() throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl())) {
            Database target = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
            try (Liquibase liquibase = new Liquibase(NEXT_CHANGELOG,
                    new ClassLoaderResourceAccessor(RollingUpgradeTest.class.getClassLoader()), target)) {
                liquibase.setChangeLogParameter(SchemaInitializer.TABLE_PREFIX_PARAMETER, database.tablePrefix());
                liquibase.setShowSummaryOutput(UpdateSummaryOutputEnum.LOG);
                Scope.child(Map.of(Scope.Attr.ui.name(), new LoggerUIService()),
                        () -> liquibase.update(new Contexts(), new LabelExpression()));
            }
        }
    }

    /** The engines of the test, each with a pool of its own, and the log of the steps they executed. */
    private static final class Nodes implements AutoCloseable {

        final ExecutionLog log;

        private final TestDatabase database;

        private final List<SagaEngine> engines = new ArrayList<>();

        private final List<HikariDataSource> pools = new ArrayList<>();

        Nodes(TestDatabase database) {
            this.database = database;
            this.log = ExecutionLog.create(database.dataSource(), database.tablePrefix());
        }

        /** Starts node {@code id} running {@code version} of the workflow, applying the shipped changelog if asked. */
        SagaEngine start(String id, String version, boolean applySchema) {
            HikariConfig config = new HikariConfig();
            // every statement prepared on the server from its first use: a column added under a prepared
            // SELECT * changes its result type, which the node must survive (the next release's change set)
            config.setJdbcUrl(database.jdbcUrl() + "&prepareThreshold=1");
            config.setMaximumPoolSize(8);
            config.setPoolName("node-" + id);
            HikariDataSource pool = new HikariDataSource(config);
            pools.add(pool);
            SagaAction<String, String> reserve = log.action("reserve", id, version);
            SagaAction<String, String> screen = log.action("screen", id, version);
            SagaAction<String, String> charge = log.action("charge", id, version);
            ScriptedWorkflow order = version.equals("1")
                    ? new ScriptedWorkflow("1", (input, saga) -> {
                        String reserved = saga.step(reserve, input);
                        saga.sleep(V1_SLEEP);
                        return saga.step(charge, reserved);
                    })
                    : new ScriptedWorkflow("2", (input, saga) -> {
                        String screened = saga.step(screen, saga.step(reserve, input));
                        saga.sleep(V2_SLEEP);
                        return saga.step(charge, screened);
                    });
            SagaEngine engine = AgentSaga.builder(pool).nodeId(id).applySchema(applySchema)
                    .pollInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(5))
                    .action(reserve).action(screen).action(charge).workflow(WORKFLOW, order).build();
            engines.add(engine);
            engine.startup();
            return engine;
        }

        @Override
        public void close() {
            engines.stream().filter(SagaEngine::isRunning).forEach(engine -> engine.shutdown(Duration.ofSeconds(2)));
            pools.forEach(HikariDataSource::close);
        }
    }

    /** The saga rows as the database has them, counted by version and status. */
    private static final class Sagas {

        static final String UNFINISHED = "IN ('PENDING', 'RUNNING', 'WAITING', 'COMPENSATING')";

        private final TestDatabase database;

        private final String instance;

        Sagas(TestDatabase database) {
            this.database = database;
            this.instance = database.tablePrefix() + "instance";
        }

        /** The sagas of {@code version} (of every version when null) whose status matches {@code condition}. */
        long count(String version, String condition) {
            String sql = "SELECT COUNT(*) FROM " + instance + " WHERE status " + condition;
            Long count = version == null ? database.jdbc().queryForObject(sql, Long.class)
                    : database.jdbc().queryForObject(sql + " AND workflow_version = ?", Long.class, version);
            return count == null ? 0 : count;
        }

        /** Waits until the {@link #count} satisfies {@code done}; fails with {@code what} and the last count. */
        void await(String what, String version, String condition, LongPredicate done) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            long count = count(version, condition);
            while (!done.test(count) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                count = count(version, condition);
            }
            assertThat(done.test(count)).as("%s: %d after %s", what, count, WAIT).isTrue();
        }

        /** The saga's version, or null when the database does not know the saga. */
        String version(String sagaId) {
            List<String> versions = database.jdbc().queryForList("SELECT workflow_version FROM " + instance
                    + " WHERE id = ?", String.class, sagaId);
            return versions.isEmpty() ? null : versions.get(0);
        }

        long ownedBy(String node, String version) {
            return database.jdbc().queryForObject("SELECT COUNT(*) FROM " + instance
                    + " WHERE owner = ? AND workflow_version = ?", Long.class, node, version);
        }

        /** When the last sleeping saga of {@code version} is due; null when none sleeps. */
        Instant lastWake(String version) {
            Timestamp last = database.jdbc().queryForObject("SELECT MAX(wake_at) FROM " + instance
                    + " WHERE workflow_version = ? AND status = 'WAITING'", Timestamp.class, version);
            return last == null ? null : last.toInstant();
        }
    }
}
