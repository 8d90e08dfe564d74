package dev.agentsaga.crash;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.agentsaga.crash.CrashWorker.Mode;

/**
 * A {@link CrashWorker} in a child JVM of its own, its output in {@code target/crash-logs/}. Every wait
 * is bounded; a child that outlives its bound is killed and the test fails with the tail of its log.
 */
final class WorkerProcess {

    static final Path LOGS = Path.of("target", "crash-logs");

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="dev.agentsaga" level="DEBUG"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;

    private final Process process;

    private final Path log;

    private final int run;

    private WorkerProcess(Process process, Path log, int run) {
        this.process = process;
        this.log = log;
        this.run = run;
    }

    static WorkerProcess launch(String jdbcUrl, String sagaId, CrashScenario scenario, int run, Mode mode,
            CrashPlan plan) {
        try {
            Files.createDirectories(LOGS);
            Path logback = LOGS.resolve("logback-worker.xml");
            if (!Files.exists(logback)) {
                Files.writeString(logback, LOGBACK, StandardCharsets.UTF_8);
            }
            Path log = LOGS.resolve(sagaId + "-run" + run + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=" + logback.toAbsolutePath(),
                    "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    CrashWorker.class.getName(),
                    jdbcUrl, sagaId, scenario.name(), Integer.toString(run), mode.name(), plan.toString()));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new WorkerProcess(process, log, run);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not launch a crash worker", ex);
        }
    }

    /** Waits for the child to end by itself and returns its exit code; kills it and fails after {@code timeout}. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError("Crash worker run " + run + " did not end within " + timeout
                        + " and was killed\n" + describe());
            }
            return process.exitValue();
        }
        catch (InterruptedException ex) {
            kill();
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for crash worker run " + run, ex);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}; returns the exit code. */
    int kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("Crash worker run " + run + " survived SIGKILL\n" + describe());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while killing crash worker run " + run, ex);
        }
        return process.exitValue();
    }

    /** The run number, the log file and the tail of the log, for assertion messages. */
    String describe() {
        StringBuilder text = new StringBuilder("crash worker run " + run + ", log " + log.toAbsolutePath() + ":\n");
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(line -> text.append("  ").append(line)
                    .append('\n'));
        }
        catch (IOException | UncheckedIOException ex) {
            text.append("  (log unreadable: ").append(ex.getMessage()).append(")\n");
        }
        return text.toString();
    }
}
