package dev.agentsaga.crash;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.crash.RecordingActions.Env;

/**
 * The child JVM of the crash tests. Arguments: JDBC URL (with {@code currentSchema}), saga id,
 * {@link CrashScenario}, run number, {@link Mode}, {@link CrashPlan}.
 *
 * <p>It starts an engine under the saga's stable node id; in START mode it starts the saga, in RECOVER
 * mode it only lets the engine's recovery pick the saga up. Either way it then waits until the saga
 * rests and exits 0, unless the crash plan halts it first (exit 137). Exit codes: 2 when the saga
 * did not rest in time, 3 when the crash point was never reached, 1 on any other error.
 */
public final class CrashWorker {

    /** Whether this run starts the saga or recovers it. */
    enum Mode { START, RECOVER }

    static final Set<SagaStatus> RESTING = EnumSet.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED, SagaStatus.FAILED,
            SagaStatus.COMPENSATION_FAILED, SagaStatus.NEEDS_ATTENTION, SagaStatus.WAITING);

    private static final Duration REST_TIMEOUT = Duration.ofSeconds(45);

    private CrashWorker() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        }
        catch (Throwable ex) {
            System.out.println("CrashWorker: failed");
            ex.printStackTrace(System.out);
            code = 1;
        }
        System.out.flush();
        // halt, not exit: a stuck non-daemon thread of the engine must not keep the child alive
        Runtime.getRuntime().halt(code);
    }

    private static int run(String[] args) throws InterruptedException {
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: CrashWorker jdbcUrl sagaId scenario run START|RECOVER plan");
        }
        String sagaId = args[1];
        CrashScenario scenario = CrashScenario.valueOf(args[2]);
        int run = Integer.parseInt(args[3]);
        Mode mode = Mode.valueOf(args[4]);
        CrashPlan plan = CrashPlan.parse(args[5]);
        System.out.println("CrashWorker: saga " + sagaId + ", " + scenario + ", run " + run + ", " + mode + ", crash at "
                + plan);
        try (HikariDataSource dataSource = dataSource(args[0])) {
            Env env = new Env(new Downstream(dataSource, run), plan, scenario.pause());
            SagaEngine engine = CrashScenario.engine(dataSource, CrashScenario.nodeIdFor(sagaId), env);
            engine.startup();
            if (mode == Mode.START) {
                engine.start(scenario.workflowName(), scenario.input(), sagaId);
            }
            Optional<SagaView> rested = awaitRest(engine, sagaId);
            if (rested.isEmpty()) {
                System.out.println("CrashWorker: saga did not rest within " + REST_TIMEOUT + ": "
                        + engine.find(sagaId).map(SagaView::status).orElse(null));
                return 2;
            }
            SagaView view = rested.get();
            System.out.println("CrashWorker: saga rests as " + view.status() + (view.error() == null ? ""
                    : " (" + view.error() + ")"));
            engine.shutdown(Duration.ofSeconds(5));
            if (plan.crashes()) {
                System.out.println("CrashWorker: the crash point " + plan + " was never reached");
                return 3;
            }
            return 0;
        }
    }

    private static Optional<SagaView> awaitRest(SagaEngine engine, String sagaId) throws InterruptedException {
        long deadline = System.nanoTime() + REST_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<SagaView> view = engine.find(sagaId);
            if (view.isPresent() && RESTING.contains(view.get().status())) {
                return view;
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    private static HikariDataSource dataSource(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(6);
        config.setPoolName("crash-worker");
        return new HikariDataSource(config);
    }
}
