package dev.agentsaga.crash;

import java.time.Duration;
import java.util.Optional;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.crash.RecordingActions.Env;
import dev.agentsaga.spi.SagaObserver;

/**
 * One node of the {@link ChaosTest} in a child JVM: an engine with every {@link ChaosWorkflow}, started
 * under a stable node id, that runs whatever sagas it claims until it is killed. Arguments: JDBC URL
 * (with {@code currentSchema}), node id, run number (which JVM this is, for the downstream tables),
 * and the process id of the test JVM; optionally then the number of worker threads and whether group
 * commit is on (else the engine's defaults of {@link ChaosWorkflow#engine}).
 *
 * <p>It prints {@value #STARTED} once its engine runs, and {@value #RECOVERED} and the saga id for every
 * saga it claims that was running or compensating elsewhere: the test counts recoveries from those
 * lines. It halts by itself when the test JVM is gone, or after {@link #MAX_LIFETIME}, so that no node
 * outlives a test that died.
 */
public final class ChaosNode {

    static final String STARTED = "ChaosNode: started";

    static final String RECOVERED = "ChaosNode: recovered ";

    private static final Duration MAX_LIFETIME = Duration.ofMinutes(20);

    private ChaosNode() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        }
        catch (Throwable ex) {
            System.out.println("ChaosNode: failed");
            ex.printStackTrace(System.out);
            code = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(code);
    }

    private static int run(String[] args) throws InterruptedException {
        if (args.length != 4 && args.length != 6) {
            throw new IllegalArgumentException("usage: ChaosNode jdbcUrl nodeId run parentPid [workers groupCommit]");
        }
        String nodeId = args[1];
        int run = Integer.parseInt(args[2]);
        Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(args[3]));
        HikariDataSource dataSource = dataSource(args[0], nodeId);
        Env env = new Env(new Downstream(dataSource, run), CrashPlan.NONE, ChaosWorkflow.STEP_PAUSE);
        SagaEngine engine = ChaosWorkflow.engine(dataSource, nodeId, env, new RecoveryLog(), builder -> {
            if (args.length == 6) {
                builder.workerThreads(Integer.parseInt(args[4])).groupCommit(Boolean.parseBoolean(args[5]));
            }
        });
        engine.startup();
        System.out.println(STARTED + " " + nodeId + " run " + run + (args.length == 6 ? " with " + args[4]
                + " workers, group commit " + args[5] : ""));
        long deadline = System.nanoTime() + MAX_LIFETIME.toNanos();
        while (parent.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        System.out.println("ChaosNode: the test JVM is gone or the lifetime of " + MAX_LIFETIME + " is over");
        return 0;
    }

    private static HikariDataSource dataSource(String jdbcUrl, String nodeId) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(10);
        config.setPoolName("chaos-" + nodeId);
        return new HikariDataSource(config);
    }

    /** Prints a line for every saga this node takes over from another run. */
    private static final class RecoveryLog implements SagaObserver {

        @Override
        public void sagaResumed(String sagaId, String workflow, boolean recovered) {
            if (recovered) {
                System.out.println(RECOVERED + sagaId);
            }
        }
    }
}
