package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SagaView;
import dev.agentsaga.nodes.FaultyPostgresProxy.Fault;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * Two engines reach PostgreSQL through a {@link FaultyPostgresProxy} that loses the acknowledgement of 5%
 * of the commits (half of them swallowed after the server committed, half cut off right after the commit
 * was sent, committed or not), delays 2% and cuts a connection in the middle of a result now and then.
 * An ambiguous commit is the engine's to resolve by reading back what the journal holds: every saga
 * completes, every execution carries the key of its journaled step, every journal is in order, and a
 * step runs again (under its own key) only where a lost acknowledgement hit a commit of its saga's.
 * The outcome is read past the proxy.
 */
class LostCommitAcknowledgementTest extends EngineTestSupport {

    private static final int SAGAS = 500;

    private static final int STEPS = 4;

    private static final String WORKFLOW = "lost-acks";

    private static final Duration REST_DEADLINE = Duration.ofSeconds(60);

    /** How often the test, as a caller would, starts a saga again with the same id after the start failed. */
    private static final int START_ATTEMPTS = 10;

    private static final Pattern POSTGRES_URL = Pattern.compile("jdbc:postgresql://([^/:?,]+)(?::(\\d+))?/(.+)");

    @Test
    void sagasFinishOnceWhileTheProxyDropsFivePercentOfCommitAcknowledgements() throws Exception {
        Matcher url = POSTGRES_URL.matcher(schema.jdbcUrl());
        Assumptions.assumeTrue(url.matches() && url.group(3).contains("?"),
                "the test PostgreSQL's JDBC URL names no single host and port to put a proxy in front of");
        List<CompensableAction> actions = IntStream.rangeClosed(1, STEPS)
                .mapToObj(i -> new CompensableAction("ack" + i, ledger)).toList();
        ScriptedWorkflow workflow = new ScriptedWorkflow((input, saga) -> {
            String out = input;
            for (CompensableAction action : actions) {
                out = saga.step(action, out);
            }
            return out;
        });
        List<String> ids = IntStream.range(0, SAGAS).mapToObj(i -> "lost-ack-" + i).toList();
        long seed = System.nanoTime();
        FaultyPostgresProxy.Settings settings = new FaultyPostgresProxy.Settings(0.05, 0.02, 0.002,
                Duration.ofMillis(600), seed);

        Run run = runThroughTheProxy(url, settings, workflow, actions, ids);
        LostCommitInvariants outcome = check(ids, run.rested(), workflow, actions, run.injected());
        System.out.printf("lost commit acknowledgements: sagas %d, faults injected %d (%s) in %d commits, lost %d, "
                + "doubled %d, misordered %d, stuck %d, steps run again under their key %d, starts retried %d, "
                + "seed %d, %d ms%n", SAGAS, run.injected().size(), run.counts().entrySet().stream()
                        .map(count -> count.getKey() + " " + count.getValue()).collect(Collectors.joining(", ")),
                run.commits(), outcome.lost(), outcome.doubled(), outcome.misordered(), outcome.stuck(),
                outcome.reruns(), run.startsRetried(), seed, run.millis());

        assertThat(run.counts().get(Fault.ACK_LOST) + run.counts().get(Fault.CUT_AFTER_COMMIT))
                .as("commit acknowledgements lost by the proxy").isPositive();
        assertThat(outcome.violations()).withFailMessage("%d violations of the invariants, the first: %s",
                outcome.violations().size(), outcome.violations().stream().limit(30).toList()).isEmpty();
        assertThat(outcome.lost()).as("sagas that rest other than COMPLETED").isZero();
        assertThat(outcome.stuck()).as("sagas not at rest after " + REST_DEADLINE).isZero();
        assertThat(outcome.doubled()).as("executions under a key no journaled step of theirs has").isZero();
        assertThat(outcome.misordered()).as("journals not in order 1.." + STEPS + " with every step SUCCEEDED")
                .isZero();
    }

    /** What a run through the proxy left: the sagas' statuses and what the proxy did. */
    private record Run(Map<String, SagaStatus> rested, List<FaultyPostgresProxy.Injected> injected,
            Map<Fault, Integer> counts, int commits, int startsRetried, long millis) {
    }

    /**
     * Starts the sagas, half on each of two nodes, each node with a pool of its own through the proxy, and
     * waits until they rest.
     */
    private Run runThroughTheProxy(Matcher url, FaultyPostgresProxy.Settings settings, ScriptedWorkflow workflow,
            List<CompensableAction> actions, List<String> ids) throws Exception {
        long begin = System.nanoTime();
        AtomicInteger startsRetried = new AtomicInteger();
        try (FaultyPostgresProxy proxy = FaultyPostgresProxy.start(url.group(1),
                url.group(2) == null ? 5432 : Integer.parseInt(url.group(2)), settings);
                HikariDataSource poolA = pool("node-a", proxy, url.group(3));
                HikariDataSource poolB = pool("node-b", proxy, url.group(3))) {
            SagaEngine nodeA = started(node(poolA, "node-a", workflow, actions));
            SagaEngine nodeB = started(node(poolB, "node-b", workflow, actions));
            Map<String, SagaStatus> rested;
            try {
                CompletableFuture<Void> startedOnA = CompletableFuture.runAsync(() -> startEvery(nodeA, ids, 0,
                        startsRetried));
                CompletableFuture<Void> startedOnB = CompletableFuture.runAsync(() -> startEvery(nodeB, ids, 1,
                        startsRetried));
                startedOnA.get();
                startedOnB.get();
                rested = awaitRest(ids);
            }
            finally {
                nodeA.shutdown(Duration.ofSeconds(2));
                nodeB.shutdown(Duration.ofSeconds(2));
            }
            return new Run(rested, proxy.injected(), proxy.counts(), proxy.commits(), startsRetried.get(),
                    Duration.ofNanos(System.nanoTime() - begin).toMillis());
        }
    }

    private HikariDataSource pool(String name, FaultyPostgresProxy proxy, String databaseAndParameters) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + databaseAndParameters
                + "&sslmode=disable&gssEncMode=disable");
        config.setPoolName(name);
        config.setMaximumPoolSize(8);
        config.setConnectionTimeout(1500);
        config.setValidationTimeout(1000);
        return new HikariDataSource(config);
    }

    private static AgentSaga.Builder node(HikariDataSource pool, String nodeId, ScriptedWorkflow workflow,
            List<CompensableAction> actions) {
        AgentSaga.Builder builder = AgentSaga.builder(pool).nodeId(nodeId).workflow(WORKFLOW, workflow)
                .pollInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(2));
        actions.forEach(builder::action);
        return builder;
    }

    /** Starts every other saga ({@code first}, {@code first + 2}, ...), again with the same id after a failure. */
    private static void startEvery(SagaEngine engine, List<String> ids, int first, AtomicInteger retried) {
        for (int i = first; i < ids.size(); i += 2) {
            String id = ids.get(i);
            for (int attempt = 1;; attempt++) {
                try {
                    engine.start(WORKFLOW, inputOf(i), id);
                    break;
                }
                catch (SagaStoreException ex) {
                    if (attempt == START_ATTEMPTS) {
                        throw ex;
                    }
                    retried.incrementAndGet();
                    pause(Duration.ofMillis(50));
                }
            }
        }
    }

    /** The status of every saga once all rest, or at the deadline; read past the proxy. */
    private Map<String, SagaStatus> awaitRest(List<String> ids) {
        long deadline = System.nanoTime() + REST_DEADLINE.toNanos();
        while (true) {
            Map<String, SagaStatus> statuses = new LinkedHashMap<>();
            jdbc().query("SELECT id, status FROM " + schema.tablePrefix() + "instance WHERE workflow = ?",
                    rs -> {
                        statuses.put(rs.getString("id"), SagaStatus.valueOf(rs.getString("status")));
                    }, WORKFLOW);
            boolean allRest = ids.stream().allMatch(id -> statuses.containsKey(id) && resting(statuses.get(id)));
            if (allRest || System.nanoTime() > deadline) {
                return statuses;
            }
            pause(Duration.ofMillis(200));
        }
    }

    private static boolean resting(SagaStatus status) {
        return status.isTerminal() || status == SagaStatus.NEEDS_ATTENTION
                || status == SagaStatus.COMPENSATION_FAILED;
    }

    /** Checks every saga against the invariants, reading the journal past the proxy. */
    private LostCommitInvariants check(List<String> ids, Map<String, SagaStatus> rested, ScriptedWorkflow workflow,
            List<CompensableAction> actions, List<FaultyPostgresProxy.Injected> injected) {
        LostCommitInvariants invariants = new LostCommitInvariants(ledger,
                actions.stream().map(CompensableAction::name).toList(), injected);
        AgentSaga.Builder reading = engineBuilder().workflow(WORKFLOW, workflow);
        actions.forEach(reading::action);
        // built, never started: it only reads
        SagaEngine reader = reading.build();
        try {
            for (int i = 0; i < ids.size(); i++) {
                SagaStatus status = rested.get(ids.get(i));
                SagaView view = status != null && resting(status) ? view(reader, ids.get(i)) : null;
                invariants.check(ids.get(i), inputOf(i), status, view);
            }
        }
        finally {
            reader.shutdown(Duration.ZERO);
        }
        return invariants;
    }

    private static String inputOf(int saga) {
        return "order-" + saga;
    }
}
