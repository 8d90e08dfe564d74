package dev.agentsaga.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.agentsaga.crash.CrashWorker.Mode;
import dev.agentsaga.test.ChildJvm;

/**
 * A {@link CrashWorker} in a child JVM of its own, its output in {@code target/crash-logs/} with
 * agent-saga's own logging at DEBUG. Every wait is bounded; a child that outlives its bound is killed and
 * the test fails with the tail of its log.
 */
final class WorkerProcess {

    static final Path LOGS = Path.of("target", "crash-logs");

    private final ChildJvm jvm;

    private final int run;

    private WorkerProcess(ChildJvm jvm, int run) {
        this.jvm = jvm;
        this.run = run;
    }

    static WorkerProcess launch(String jdbcUrl, String sagaId, CrashScenario scenario, int run, Mode mode,
            CrashPlan plan) {
        return new WorkerProcess(ChildJvm.launch(CrashWorker.class, LOGS.resolve(sagaId + "-run" + run + ".log"),
                List.of("-Dlogback.configurationFile=logback-crash-worker.xml"), List.of(jdbcUrl, sagaId,
                        scenario.name(), Integer.toString(run), mode.name(), plan.toString())), run);
    }

    /** Waits for the child to end by itself and returns its exit code; kills it and fails after {@code timeout}. */
    int awaitExit(Duration timeout) {
        try {
            if (!jvm.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError("Crash worker run " + run + " did not end within " + timeout
                        + " and was killed\n" + describe());
            }
            return jvm.process().exitValue();
        }
        catch (InterruptedException ex) {
            kill();
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for crash worker run " + run, ex);
        }
    }

    boolean isAlive() {
        return jvm.isAlive();
    }

    /** SIGKILL, as {@code kill -9}; returns the exit code. */
    int kill() {
        return jvm.kill();
    }

    /** The run number, the log file and the tail of the log, for assertion messages. */
    String describe() {
        return "crash worker run " + run + ", " + jvm.tail(60);
    }
}
