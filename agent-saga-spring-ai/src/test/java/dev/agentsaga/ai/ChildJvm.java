package dev.agentsaga.ai;

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

/**
 * A main class of the test class path run in a JVM of its own, its output in {@code target/crash-logs/}.
 * Every wait is bounded; a child that outlives its bound is killed and the test fails with its log.
 */
final class ChildJvm {

    private static final Path LOGS = Path.of("target", "crash-logs");

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="dev.agentsaga" level="DEBUG"/>
              <logger name="liquibase" level="WARN"/>
              <logger name="com.zaxxer.hikari" level="WARN"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;

    private final Process process;

    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} with the JVM options and arguments; its output goes to {@code <logName>.log}. */
    static ChildJvm launch(Class<?> mainClass, String logName, List<String> jvmOptions, String... args) {
        try {
            Files.createDirectories(LOGS);
            Path logback = LOGS.resolve("logback-agent-child.xml");
            Files.writeString(logback, LOGBACK, StandardCharsets.UTF_8);
            Path log = LOGS.resolve(logName + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=" + logback.toAbsolutePath()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp",
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    mainClass.getName()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new ChildJvm(process, log);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not launch a child JVM", ex);
        }
    }

    /** Waits for the child to end by itself and returns its exit code; kills it and fails after {@code timeout}. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("The child JVM did not end within " + timeout + " and was killed\n"
                        + describe());
            }
            return process.exitValue();
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for the child JVM", ex);
        }
    }

    /** The log file and its tail, for assertion messages. */
    String describe() {
        StringBuilder text = new StringBuilder("child JVM, log " + log.toAbsolutePath() + ":\n");
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            lines.subList(Math.max(0, lines.size() - 60), lines.size())
                    .forEach(line -> text.append("  ").append(line).append('\n'));
        }
        catch (IOException | UncheckedIOException ex) {
            text.append("  (log unreadable: ").append(ex.getMessage()).append(")\n");
        }
        return text.toString();
    }
}
