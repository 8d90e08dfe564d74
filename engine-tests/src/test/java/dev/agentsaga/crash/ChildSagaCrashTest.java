package dev.agentsaga.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.crash.ChildSagaTrip.Role;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.TestDatabase;

/**
 * Child sagas compensated across nodes that die. A trip ({@link ChildSagaTrip}) reserves a budget, runs a
 * flight and a hotel as two child sagas in parallel, joins both, and is declined: both children's bookings
 * are undone, the hotel's (newest first) finished before the flight's began, both before the budget's, each
 * undo exactly once; no child saga is started twice, no booking executed twice except when a killed run did
 * not journal it (again with the same idempotency key). {@link ChildSagaInvariants} checks it all from the
 * journal and the downstream tables.
 *
 * <p>Three node JVMs on one database: the parents' node claims only trips, two children's nodes only flights
 * and hotels. The test JVM inserts the trips PENDING (over {@value #START_WINDOW_MS} ms) through an engine it
 * never starts, and kills nodes with SIGKILL, each started again at once under its node id, at four moments
 * read from the journal, one after the other:
 * <ol>
 * <li>the parents' node, while it runs trips and at least a quarter as many children as there are trips run on
 * the others;
 * <li>the children's node that runs more children, while they run (at least a tenth as many as trips);
 * <li>the children's node that compensates more children, while they compensate (as many);
 * <li>the parents' node again, while it compensates trips.
 * </ol>
 * A restarted node is a candidate again once it is up and its killed run's leases are over. The first kill
 * must come within {@value #FIRST_KILL_DEADLINE_MS} ms; the others are skipped when everything
 * rests before their moment (the figures say which happened). The nodes recheck a parked parent's child every
 * {@link #CHILD_RECHECK}: a kill can fall between a child's last write and the wake of its parent (a run in CI
 * left a parent parked so until its recheck, five minutes by default), which the recheck catches; a parent
 * that stays parked longer than the settle timeout fails the test. The figures are printed on one
 * line, for example {@code child sagas crash: trips=30 children=60 kills=4 [...] bookings cut short=4 taken
 * over from a paused node=0 duration=21.3s}: bookings cut short are attempts a kill interrupted inside the
 * action.
 *
 * <p>The default is the CI setting (30 trips, bookings of 300 ms, 20 to 30 s). More trips by hand, e.g.:
 * <pre>
 * AGENT_SAGA_TEST_JDBC_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' \
 *   ./mvnw -o -pl engine-tests -am verify -Dtest=ChildSagaCrashTest -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dchildren.trips=120 -Dchildren.bookingMillis=300
 * </pre>
 * Node logs are under {@code target/crash-logs/children-<schema>/}; a failed run keeps its schema.
 */
class ChildSagaCrashTest {

    /** How often the nodes look at a parked parent's child unwoken. */
    static final Duration CHILD_RECHECK = Duration.ofSeconds(10);

    private static final long START_WINDOW_MS = 3000;

    private static final long FIRST_KILL_DEADLINE_MS = 30_000;

    private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(Long.getLong("children.settleSeconds", 60));

    private static final String ACTIVE = "status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPENSATING')";

    /** How many kills a run makes at most: see the class comment. */
    private static final int MOMENTS = 4;

    /** The nodes' lease (3 s) and a second: after a kill, the leases of the killed run are over. */
    private static final Duration OLD_LEASES_OVER = Duration.ofSeconds(4);

    private static final String LIVE_LEASE = "lease_expires_at > now()";

    private final int tripCount = Integer.getInteger("children.trips", 30);

    private final Duration bookingPause = Duration.ofMillis(Long.getLong("children.bookingMillis", 300));

    private final List<String> trips = new ArrayList<>();

    private final List<String> kills = new ArrayList<>();

    private final Set<Integer> killedRuns = new HashSet<>();

    private final NodeRun[] nodes = new NodeRun[3];

    /** When each node was last killed (System.nanoTime), 0 while it never was. */
    private final long[] killedAt = new long[3];

    private TestDatabase schema;

    private Path logs;

    @Test
    void childrenAreUndoneNewestFirstOnceEachWhileNodesAreKilled() throws InterruptedException {
        schema = TestDatabase.postgresql();
        ChildSagaTrip.createTables(schema.jdbc());
        logs = Path.of("target", "crash-logs", "children-" + schema.name());
        SagaEngine driver = ChildSagaTrip.engine(schema.dataSource(), "children-driver", Role.DRIVER, 0, bookingPause,
                SagaObserver.NONE);
        boolean passed = false;
        try {
            long begin = System.nanoTime();
            startNodes();
            drive(driver);
            awaitRest();
            double seconds = (System.nanoTime() - begin) / 1e9;
            assertAlive();
            stopNodes();
            Integer cutShort = schema.jdbc().queryForObject(
                    "SELECT count(*) FROM crash_attempt WHERE outcome IS NULL", Integer.class);
            Set<String> takenOver = takenOver();
            System.out.printf("child sagas crash: trips=%d children=%d kills=%d %s bookings cut short=%d "
                    + "taken over from a paused node=%d duration=%.1fs%n", trips.size(), trips.size() * 2, kills.size(),
                    kills, cutShort, takenOver.size(), seconds);

            ChildSagaInvariants invariants = new ChildSagaInvariants(driver, schema.jdbc(), killedRuns, takenOver);
            invariants.check(trips);

            List<String> violations = invariants.violations();
            assertThat(kills).as("kills").isNotEmpty();
            assertThat(violations).as("%d violations, the first 40:%n%s", violations.size(),
                    String.join("\n", violations.subList(0, Math.min(40, violations.size())))).isEmpty();
            passed = true;
        }
        catch (AssertionError | RuntimeException ex) {
            throw new AssertionError(ex.getMessage() + "\n\nschema " + schema.name() + " kept\n" + describeNodes(), ex);
        }
        finally {
            stopNodes();
            driver.shutdown(Duration.ZERO);
            if (passed) {
                schema.close();
            }
        }
    }

    /** The same trips without kills, on three engines in the test JVM: the semantics alone. */
    @Test
    void childrenAreUndoneNewestFirstOnceEachInOneJvm() throws InterruptedException {
        try (TestDatabase database = TestDatabase.postgresql()) {
            schema = database;
            ChildSagaTrip.createTables(database.jdbc());
            List<SagaEngine> engines = List.of(inThisJvm(database, "one-jvm-parents", Role.PARENTS, 1),
                    inThisJvm(database, "one-jvm-worker-1", Role.CHILDREN, 2),
                    inThisJvm(database, "one-jvm-worker-2", Role.CHILDREN, 3));
            try {
                engines.forEach(SagaEngine::startup);
                for (int i = 0; i < 10; i++) {
                    trips.add("trip-" + i);
                    engines.get(0).start(ChildSagaTrip.TRIP, trips.get(i), trips.get(i));
                }

                awaitRest();

                ChildSagaInvariants invariants = new ChildSagaInvariants(engines.get(0), database.jdbc(), Set.of(),
                        Set.of());
                invariants.check(trips);
                assertThat(invariants.violations()).isEmpty();
            }
            finally {
                engines.forEach(engine -> engine.shutdown(Duration.ZERO));
            }
        }
    }

    private static SagaEngine inThisJvm(TestDatabase database, String nodeId, Role role, int run) {
        return ChildSagaTrip.engine(database.dataSource(), nodeId, role, run, Duration.ofMillis(50), SagaObserver.NONE);
    }

    /**
     * Inserts the trips spread over the start window and kills a node at each moment it is due; returns once
     * every trip is inserted and every kill happened or everything rests.
     */
    private void drive(SagaEngine driver) throws InterruptedException {
        long begin = System.nanoTime();
        int started = 0;
        int moment = 0;
        while (started < tripCount || moment < MOMENTS && active() > 0) {
            long now = (System.nanoTime() - begin) / 1_000_000;
            while (started < tripCount && started * START_WINDOW_MS / tripCount <= now) {
                String id = "trip-" + started;
                driver.start(ChildSagaTrip.TRIP, id, id);
                trips.add(id);
                started++;
            }
            if (moment < MOMENTS && killIfDue(moment)) {
                moment++;
            }
            if (moment == 0 && now > FIRST_KILL_DEADLINE_MS) {
                throw new AssertionError("The parents' node never ran trips while children ran elsewhere");
            }
            assertAlive();
            Thread.sleep(25);
        }
    }

    /** Kills and restarts the node of the given moment when that moment has come; whether it had. */
    private boolean killIfDue(int moment) {
        return switch (moment) {
            case 0 -> {
                int children = countOf("SELECT count(*) FROM agent_saga_instance WHERE parent_id IS NOT NULL "
                        + "AND status = 'RUNNING' AND " + LIVE_LEASE);
                int running = owned(0, "parent_id IS NULL AND status = 'RUNNING'");
                yield children >= Math.max(1, tripCount / 4) && running > 0 && killAndRestart(0, "the parents' node "
                        + "while it ran " + running + " trips and " + children + " children ran elsewhere");
            }
            case 1 -> killBusierChildrensNode("status = 'RUNNING'", "ran");
            case 2 -> killBusierChildrensNode("status = 'COMPENSATING'", "compensated");
            default -> {
                int compensating = owned(0, "parent_id IS NULL AND status = 'COMPENSATING'");
                yield compensating > 0 && killAndRestart(0, "the parents' node while it compensated " + compensating
                        + " trips");
            }
        };
    }

    /** Kills the children's node that holds more children in {@code status}, when it holds a tenth of the trips. */
    private boolean killBusierChildrensNode(String status, String doing) {
        int first = owned(1, "parent_id IS NOT NULL AND " + status);
        int second = owned(2, "parent_id IS NOT NULL AND " + status);
        int victim = first >= second ? 1 : 2;
        int children = Math.max(first, second);
        return children >= Math.max(1, tripCount / 10) && killAndRestart(victim, "a children's node while it "
                + doing + " " + children + " children");
    }

    /**
     * How many sagas matching {@code condition} the current run of the node holds; none while it is not up, or
     * until the leases of its killed run are over (they would be counted as its own: same node id).
     */
    private int owned(int node, String condition) {
        boolean up = nodes[node].started() && (killedAt[node] == 0
                || System.nanoTime() - killedAt[node] > OLD_LEASES_OVER.toNanos());
        return !up ? 0 : countOf("SELECT count(*) FROM agent_saga_instance WHERE " + condition + " AND owner = '"
                + nodes[node].nodeId() + "' AND " + LIVE_LEASE);
    }

    private void startNodes() throws InterruptedException {
        String[] ids = { "children-parents", "children-worker-1", "children-worker-2" };
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = NodeRun.launch(logs, schema.jdbcUrl(), ids[i], i == 0 ? Role.PARENTS : Role.CHILDREN,
                    (i + 1) * 100 + 1, bookingPause);
        }
        long deadline = System.nanoTime() + NODE_START_TIMEOUT.toNanos();
        for (NodeRun node : nodes) {
            while (!node.started()) {
                if (!node.jvm().isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("Node " + node.nodeId() + " did not start within " + NODE_START_TIMEOUT);
                }
                Thread.sleep(100);
            }
        }
    }

    private boolean killAndRestart(int index, String what) {
        NodeRun killed = nodes[index];
        killed.jvm().kill();
        killedRuns.add(killed.run());
        kills.add(what + " (run " + killed.run() + ")");
        nodes[index] = NodeRun.launch(logs, schema.jdbcUrl(), killed.nodeId(), killed.role(), killed.run() + 1,
                bookingPause);
        killedAt[index] = System.nanoTime();
        return true;
    }

    /** Waits, bounded, until no saga is PENDING, RUNNING, WAITING or COMPENSATING; fails with the stuck ones. */
    private void awaitRest() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        int active;
        while ((active = active()) > 0) {
            assertAlive();
            if (System.nanoTime() > deadline) {
                List<String> stuck = schema.jdbc().query("SELECT id, status, owner, lease_expires_at, wake_at, "
                        + "(SELECT string_agg(c.id || ' ' || c.status, ', ') FROM agent_saga_instance c "
                        + "WHERE c.parent_id = i.id) FROM agent_saga_instance i WHERE " + ACTIVE
                        + " ORDER BY id LIMIT 20",
                        (rs, row) -> rs.getString(1) + " " + rs.getString(2) + " owner " + rs.getString(3) + " lease "
                                + rs.getString(4) + " wake " + rs.getString(5) + " children " + rs.getString(6));
                throw new AssertionError(active + " sagas still active " + SETTLE_TIMEOUT + " after the kills "
                        + kills + ":\n  " + String.join("\n  ", stuck));
            }
            Thread.sleep(200);
        }
    }

    private int active() {
        return countOf("SELECT count(*) FROM agent_saga_instance WHERE " + ACTIVE);
    }

    private int countOf(String sql) {
        Integer count = schema.jdbc().queryForObject(sql, Integer.class);
        return count == null ? 0 : count;
    }

    private void assertAlive() {
        for (NodeRun node : nodes) {
            if (node != null && !node.jvm().isAlive()) {
                throw new AssertionError("Node " + node.nodeId() + " run " + node.run() + " died by itself");
            }
        }
    }

    private void stopNodes() {
        for (NodeRun node : nodes) {
            if (node != null && node.jvm().isAlive()) {
                node.jvm().kill();
            }
        }
    }

    private String describeNodes() {
        return Stream.of(nodes).filter(node -> node != null)
                .map(node -> node.nodeId() + " run " + node.run() + ", " + node.jvm().tail(30))
                .collect(Collectors.joining("\n"));
    }

    /**
     * {@code run + " " + sagaId} for each saga a run was fenced off after a pause past its lease, as the engine
     * logs it when fencing refuses its write.
     */
    private Set<String> takenOver() {
        Pattern name = Pattern.compile("-run(\\d+)\\.log$");
        Pattern line = Pattern.compile("Saga (\\S+) was taken over by another engine");
        Set<String> found = new HashSet<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.toList()) {
                Matcher run = name.matcher(file.getFileName().toString());
                if (run.find()) {
                    Files.readAllLines(file).stream().map(line::matcher).filter(Matcher::find)
                            .forEach(saga -> found.add(run.group(1) + " " + saga.group(1)));
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return found;
    }

    /** One run of a node JVM ({@link ChildSagaTrip.Node}), its output in {@code <logs>/<nodeId>-run<run>.log}. */
    private record NodeRun(String nodeId, Role role, int run, ChildJvm jvm) {

        static NodeRun launch(Path logs, String jdbcUrl, String nodeId, Role role, int run, Duration pause) {
            List<String> args = List.of(jdbcUrl, nodeId, role.name(), Integer.toString(run),
                    Long.toString(ProcessHandle.current().pid()), Long.toString(pause.toMillis()));
            return new NodeRun(nodeId, role, run, ChildJvm.launch(ChildSagaTrip.Node.class,
                    logs.resolve(nodeId + "-run" + run + ".log"),
                    List.of("-Dlogback.configurationFile=logback-chaos-node.xml"), args));
        }

        boolean started() {
            return jvm.lines().stream().anyMatch(line -> line.startsWith("node started"));
        }
    }
}
