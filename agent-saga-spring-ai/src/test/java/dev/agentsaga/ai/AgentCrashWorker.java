package dev.agentsaga.ai;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.ai.chat.model.ChatModel;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.TestPolicies;

/**
 * The child JVM of the agent crash test. Arguments: JDBC URL (with {@code currentSchema}), the stub's
 * base URL, saga id. It starts the trip agent's saga under a node id of the saga and waits until the
 * saga rests (exit 0), unless {@code -D}{@value TripTools#HALT_PROPERTY} halts it first (exit 137);
 * {@code -D}{@value #MAX_TURNS_PROPERTY} and {@code -D}{@value #LOOP_GUARD_PROPERTY} set the agent's budgets.
 * Exit codes: 2 when the saga did not rest in time, 1 on any other error.
 */
public final class AgentCrashWorker {

    /** The workflow the crash test runs. */
    static final String WORKFLOW = "tripCrash";

    /** The system property with the child agent's turn budget (the loop's default when unset). */
    static final String MAX_TURNS_PROPERTY = "agentsaga.test.maxTurns";

    /** The system property with the child agent's loop guard (the loop's default when unset). */
    static final String LOOP_GUARD_PROPERTY = "agentsaga.test.loopGuard";

    /** Where the children's output goes, one file per run. */
    static final Path LOGS = Path.of("target", "crash-logs");

    private static final Set<SagaStatus> RESTING = EnumSet.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
            SagaStatus.FAILED, SagaStatus.COMPENSATION_FAILED, SagaStatus.NEEDS_ATTENTION, SagaStatus.WAITING);

    private AgentCrashWorker() {
    }

    /**
     * Runs the worker in a child JVM with the JVM options, its output in {@code <logName>.log} under
     * {@link #LOGS}, agent-saga's own logging at DEBUG.
     */
    static ChildJvm launch(String logName, List<String> jvmOptions, String jdbcUrl, String stubBaseUrl,
            String sagaId) {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dlogback.configurationFile=logback-agent-child.xml");
        return ChildJvm.launch(AgentCrashWorker.class, LOGS.resolve(logName + ".log"), options,
                List.of(jdbcUrl, stubBaseUrl, sagaId));
    }

    /** The node id every engine of the saga runs under, so a restarted engine takes the saga back at once. */
    static String nodeIdFor(String sagaId) {
        return "agent-crash-" + sagaId;
    }

    /** Registers the trip tools and the trip agent on {@code builder}: the same in the child and the test JVM. */
    static AgentSaga.Builder configure(AgentSaga.Builder builder, TripTools tools, ChatModel model) {
        return configure(builder, tools, TripScript.tripLoop(model, tools));
    }

    /** Registers the trip tools and the trip agent with the given loop (budgets of its own) on {@code builder}. */
    static AgentSaga.Builder configure(AgentSaga.Builder builder, TripTools tools, AgentLoop.Builder loop) {
        for (var tool : tools.all()) {
            builder.action(tool);
        }
        return builder.workflow(new TripAgent(WORKFLOW, loop.build()));
    }

    /** The trip loop with the budgets that {@value #MAX_TURNS_PROPERTY} and {@value #LOOP_GUARD_PROPERTY} set. */
    private static AgentLoop.Builder budgeted(AgentLoop.Builder loop) {
        Integer maxTurns = Integer.getInteger(MAX_TURNS_PROPERTY);
        Integer loopGuard = Integer.getInteger(LOOP_GUARD_PROPERTY);
        if (maxTurns != null) {
            loop.maxTurns(maxTurns);
        }
        if (loopGuard != null) {
            loop.loopGuard(loopGuard);
        }
        return loop;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        }
        catch (Throwable ex) {
            System.out.println("AgentCrashWorker: failed");
            ex.printStackTrace(System.out);
            code = 1;
        }
        System.out.flush();
        // halt, not exit: a stuck non-daemon thread must not keep the child alive
        Runtime.getRuntime().halt(code);
    }

    private static int run(String[] args) throws InterruptedException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: AgentCrashWorker jdbcUrl stubBaseUrl sagaId");
        }
        String sagaId = args[2];
        System.out.println("AgentCrashWorker: saga " + sagaId + ", model at " + args[1] + ", halting in "
                + System.getProperty(TripTools.HALT_PROPERTY));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setMaximumPoolSize(6);
        config.setPoolName("agent-crash-worker");
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            TripTools tools = new TripTools(EffectLedger.create(dataSource));
            SagaEngine engine = configure(AgentSaga.builder(dataSource)
                    .nodeId(nodeIdFor(sagaId))
                    .pollInterval(Duration.ofMillis(100))
                    .leaseDuration(Duration.ofSeconds(2))
                    .defaultPolicy(TestPolicies.fast()), tools,
                    budgeted(TripScript.tripLoop(ChatCompletionsStub.chatModel(args[1]), tools))).build();
            engine.startup();
            engine.start(WORKFLOW, TripScript.GOAL, sagaId);
            Optional<SagaView> rested = awaitRest(engine, sagaId, Duration.ofSeconds(45));
            System.out.println("AgentCrashWorker: saga " + rested.map(v -> "rests as " + v.status() + " (" + v.error()
                    + ")").orElse("did not rest"));
            engine.shutdown(Duration.ofSeconds(5));
            return rested.isPresent() ? 0 : 2;
        }
    }

    private static Optional<SagaView> awaitRest(SagaEngine engine, String sagaId, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<SagaView> view = engine.find(sagaId);
            if (view.isPresent() && RESTING.contains(view.get().status())) {
                return view;
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }
}
