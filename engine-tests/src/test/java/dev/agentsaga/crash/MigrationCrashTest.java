package dev.agentsaga.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.store.jdbc.SchemaInitializer;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * A node dies (its JVM halted, as by kill -9) while it applies the changelog to a fresh database, in the
 * middle of the change sets; then three nodes start on that database at once. The changelog lock dies
 * with the dead node's database session, so the three apply the rest of the changelog, one at a time,
 * and run sagas; none waits for a lock that nobody will ever release.
 */
class MigrationCrashTest {

    private static final int NODES = 3;

    private static final int SAGAS_PER_NODE = 10;

    /** The exit status of the halted child. */
    private static final int HALTED = 137;

    /** The table whose creation the child does not live to see. */
    private static final String CRASH_BEFORE = "create table";

    private static final String CRASH_TABLE = TestDatabase.DEFAULT_PREFIX + "step";

    @Test
    void nodesStartingAfterANodeDiedMidMigrationApplyTheRestAndRunSagas() throws Exception {
        try (TestDatabase database = TestDatabase.emptyPostgresql()) {
            ChildJvm child = ChildJvm.launch(MigratingNode.class,
                    Path.of("target", "crash-logs", "migration-" + database.name() + ".log"), List.of(),
                    List.of(database.jdbcUrl()));
            int exit = child.awaitExit(Duration.ofSeconds(60));
            assertThat(exit).as("the child halted mid-migration:%n%s", child.tail(20)).isEqualTo(HALTED);
            assertThat(tables(database)).as("what the dead node left").contains(TestDatabase.DEFAULT_PREFIX + "instance")
                    .doesNotContain(CRASH_TABLE);

            long begin = System.nanoTime();
            ExecutorService starts = Executors.newFixedThreadPool(NODES);
            List<Future<List<SagaView>>> nodes = new ArrayList<>();
            List<SagaEngine> engines = new ArrayList<>();
            try {
                for (int node = 0; node < NODES; node++) {
                    String nodeId = "migration-node-" + node;
                    nodes.add(starts.submit(() -> runSagas(database.dataSource(), nodeId, engines)));
                }
                List<SagaView> finished = new ArrayList<>();
                for (Future<List<SagaView>> node : nodes) {
                    finished.addAll(node.get(30, TimeUnit.SECONDS));
                }
                Duration took = Duration.ofNanos(System.nanoTime() - begin);

                System.out.printf("migration crash: nodes %d, sagas %d, completed %d, in %d ms after the node died%n",
                        NODES, NODES * SAGAS_PER_NODE, finished.stream()
                                .filter(view -> view.status() == SagaStatus.COMPLETED).count(), took.toMillis());
                assertThat(finished).hasSize(NODES * SAGAS_PER_NODE)
                        .allSatisfy(view -> assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED));
                assertThat(tables(database)).contains(CRASH_TABLE);
            }
            finally {
                starts.shutdownNow();
                synchronized (engines) {
                    engines.forEach(engine -> engine.shutdown(Duration.ofSeconds(2)));
                }
            }
        }
    }

    /**
     * The same with each of the three nodes in a JVM of its own, as in production: only the changelog lock in
     * the database (the session lock) orders them.
     */
    @Test
    void nodesInJvmsOfTheirOwnStartingAfterANodeDiedMidMigrationApplyTheRestOneAtATime() throws Exception {
        try (TestDatabase database = TestDatabase.emptyPostgresql()) {
            Path logs = Path.of("target", "crash-logs", "migration-jvms-" + database.name());
            ChildJvm child = ChildJvm.launch(MigratingNode.class, logs.resolve("dying.log"), List.of(),
                    List.of(database.jdbcUrl()));
            assertThat(child.awaitExit(Duration.ofSeconds(60))).as("the child halted mid-migration:%n%s",
                    child.tail(20)).isEqualTo(HALTED);

            long begin = System.nanoTime();
            List<ChildJvm> nodes = new ArrayList<>();
            for (int node = 0; node < NODES; node++) {
                nodes.add(ChildJvm.launch(SagaNode.class, logs.resolve("node-" + node + ".log"), List.of(),
                        List.of(database.jdbcUrl(), "migration-jvm-" + node)));
            }
            List<Integer> exits = new ArrayList<>();
            for (ChildJvm node : nodes) {
                exits.add(node.awaitExit(Duration.ofSeconds(90)));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            long completed = nodes.stream().flatMap(node -> node.lines().stream())
                    .filter(line -> line.startsWith(SagaNode.COMPLETED)).count();

            System.out.printf("migration crash, nodes in JVMs of their own: nodes %d, sagas %d, completed %d, in %d ms "
                    + "after the node died%n", NODES, NODES * SAGAS_PER_NODE, completed, took.toMillis());
            for (int node = 0; node < NODES; node++) {
                assertThat(exits.get(node)).as("node %d:%n%s", node, nodes.get(node).tail(30)).isZero();
            }
            assertThat(completed).isEqualTo(NODES * SAGAS_PER_NODE);
            assertThat(tables(database)).contains(CRASH_TABLE);
        }
    }

    private static List<SagaView> runSagas(DataSource dataSource, String nodeId, List<SagaEngine> engines) {
        SagaEngine engine = AgentSaga.builder(dataSource).applySchema(true).nodeId(nodeId)
                .pollInterval(Duration.ofMillis(100))
                .workflow("after-migration-crash", new ScriptedWorkflow((input, saga) -> "ran " + input))
                .build();
        synchronized (engines) {
            engines.add(engine);
        }
        engine.startup();
        List<SagaView> views = new ArrayList<>();
        for (int i = 0; i < SAGAS_PER_NODE; i++) {
            views.add(engine.start("after-migration-crash", nodeId + "-" + i).await(Duration.ofSeconds(20)));
        }
        return views;
    }

    private static List<String> tables(TestDatabase database) {
        return database.jdbc().queryForList("SELECT lower(table_name) FROM information_schema.tables "
                + "WHERE table_schema = ?", String.class, database.name());
    }

    /**
     * A node in a JVM of its own: applies the changelog to the database its first argument names, runs
     * {@value #SAGAS_PER_NODE} sagas under the node id of its second, printing {@value #COMPLETED} for each
     * that completed, and exits 0.
     */
    public static final class SagaNode {

        static final String COMPLETED = "completed ";

        public static void main(String[] args) {
            int code = 0;
            List<SagaEngine> engines = new ArrayList<>();
            try {
                for (SagaView view : runSagas(new DriverManagerDataSource(args[0]), args[1], engines)) {
                    if (view.status() == SagaStatus.COMPLETED) {
                        System.out.println(COMPLETED + view.id());
                    }
                }
            }
            catch (RuntimeException ex) {
                ex.printStackTrace(System.out);
                code = 1;
            }
            engines.forEach(engine -> engine.shutdown(Duration.ofSeconds(1)));
            System.out.flush();
            Runtime.getRuntime().halt(code);
        }
    }

    /**
     * A node applying the changelog to the database its argument names, whose JVM halts when Liquibase is
     * about to create the step table: the changelog lock is held, some change sets are applied, the rest not.
     */
    public static final class MigratingNode {

        public static void main(String[] args) {
            DataSource dataSource = new DelegatingDataSource(new DriverManagerDataSource(args[0])) {
                @Override
                public Connection getConnection() throws java.sql.SQLException {
                    return haltingBeforeTheStepTable(super.getConnection());
                }
            };
            SchemaInitializer.apply(dataSource, TestDatabase.DEFAULT_PREFIX);
            System.out.println("the changelog was applied without reaching the crash point");
            System.exit(3);
        }

        private static Connection haltingBeforeTheStepTable(Connection connection) {
            return (Connection) Proxy.newProxyInstance(MigratingNode.class.getClassLoader(),
                    new Class<?>[] { Connection.class }, (proxy, method, arguments) -> {
                        haltBefore(arguments);
                        Object result = invoke(connection, method, arguments);
                        if (result instanceof Statement statement && method.getName().equals("createStatement")) {
                            return Proxy.newProxyInstance(MigratingNode.class.getClassLoader(),
                                    new Class<?>[] { Statement.class }, (inner, innerMethod, innerArguments) -> {
                                        haltBefore(innerArguments);
                                        return invoke(statement, innerMethod, innerArguments);
                                    });
                        }
                        return result;
                    });
        }

        /** Halts the JVM when the SQL a call is about to send creates the step table. */
        private static void haltBefore(Object[] arguments) {
            if (arguments == null || arguments.length == 0 || !(arguments[0] instanceof String sql)) {
                return;
            }
            String lower = sql.toLowerCase(Locale.ROOT);
            if (lower.contains(CRASH_BEFORE) && (lower.contains(CRASH_TABLE + " ") || lower.contains(CRASH_TABLE + "("))) {
                System.out.println("halting before: " + sql);
                System.out.flush();
                Runtime.getRuntime().halt(HALTED);
            }
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] arguments)
                throws Throwable {
            try {
                return method.invoke(target, arguments);
            }
            catch (InvocationTargetException ex) {
                throw ex.getCause();
            }
        }
    }
}
