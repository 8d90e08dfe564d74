package dev.agentsaga.crash;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a {@link ChaosNode} in a child JVM, its output in {@code <logs>/<nodeId>-run<run>.log}.
 * A node killed and started again is a new run under the same node id.
 */
final class ChaosNodeProcess {

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="com.zaxxer.hikari" level="WARN"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;

    private final String nodeId;

    private final int run;

    private final Process process;

    private final Path log;

    private ChaosNodeProcess(String nodeId, int run, Process process, Path log) {
        this.nodeId = nodeId;
        this.run = run;
        this.process = process;
        this.log = log;
    }

    static ChaosNodeProcess launch(Path logs, String jdbcUrl, String nodeId, int run) {
        return launch(logs, jdbcUrl, nodeId, run, List.of());
    }

    /** Launches a node whose engine takes {@code engineArgs}: the worker count and whether group commit is on. */
    static ChaosNodeProcess launch(Path logs, String jdbcUrl, String nodeId, int run, List<String> engineArgs) {
        try {
            Files.createDirectories(logs);
            Path logback = logs.resolve("logback-node.xml");
            if (!Files.exists(logback)) {
                Files.writeString(logback, LOGBACK, StandardCharsets.UTF_8);
            }
            Path log = logs.resolve(nodeId + "-run" + run + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=" + logback.toAbsolutePath(),
                    "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    ChaosNode.class.getName(),
                    jdbcUrl, nodeId, Integer.toString(run), Long.toString(ProcessHandle.current().pid())));
            command.addAll(engineArgs);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new ChaosNodeProcess(nodeId, run, process, log);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not launch chaos node " + nodeId, ex);
        }
    }

    String nodeId() {
        return nodeId;
    }

    int run() {
        return run;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}, and waits (bounded) until the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("Chaos node " + nodeId + " run " + run + " survived SIGKILL\n" + describe());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while killing chaos node " + nodeId, ex);
        }
    }

    /** The lines of this run's log. */
    List<String> lines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        }
        catch (IOException | UncheckedIOException ex) {
            return List.of("(log unreadable: " + ex.getMessage() + ")");
        }
    }

    /** Whether the node printed that its engine runs. */
    boolean started() {
        return lines().stream().anyMatch(line -> line.startsWith(ChaosNode.STARTED));
    }

    /** The node, its log file and the tail of the log, for assertion messages. */
    String describe() {
        StringBuilder text = new StringBuilder("chaos node " + nodeId + " run " + run
                + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + ", log " + log.toAbsolutePath()
                + ":\n");
        List<String> lines = lines();
        lines.subList(Math.max(0, lines.size() - 40), lines.size())
                .forEach(line -> text.append("  ").append(line).append('\n'));
        return text.toString();
    }
}
