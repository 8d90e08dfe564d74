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
 * A main class of the test class path in a child JVM of its own, small and quick to start, its output
 * in a log file: what {@link WorkerProcess} and {@link ChaosNodeProcess} run, and kill with SIGKILL.
 */
final class ChildJvm {

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%%d{HH:mm:ss.SSS} [%%thread] %%-5level %%logger{36} - %%msg%%n</pattern></encoder>
              </appender>
              <logger name="%s" level="%s"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;

    private final Process process;

    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code args}, its output to {@code log}; {@code logger} logs at
     * {@code level} (and the rest at INFO), with a logback file written once per folder as {@code logbackName}.
     */
    static ChildJvm launch(Path log, String logbackName, String logger, String level, Class<?> mainClass,
            List<String> args) {
        try {
            Path logs = log.toAbsolutePath().getParent();
            Files.createDirectories(logs);
            Path logback = logs.resolve(logbackName);
            if (!Files.exists(logback)) {
                Files.writeString(logback, LOGBACK.formatted(logger, level), StandardCharsets.UTF_8);
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=" + logback,
                    "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    mainClass.getName()));
            command.addAll(args);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new ChildJvm(process, log);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not launch " + mainClass.getSimpleName() + " in a child JVM", ex);
        }
    }

    Process process() {
        return process;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}, and waits (bounded) until the process is gone; returns the exit code. */
    int kill(String what) {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError(what + " survived SIGKILL\n" + tail(40));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while killing " + what, ex);
        }
        return process.exitValue();
    }

    /** The lines of the log. */
    List<String> lines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        }
        catch (IOException | UncheckedIOException ex) {
            return List.of("(log unreadable: " + ex.getMessage() + ")");
        }
    }

    /** The log file and its last {@code n} lines, for assertion messages. */
    String tail(int n) {
        StringBuilder text = new StringBuilder("log " + log.toAbsolutePath() + ":\n");
        List<String> lines = lines();
        lines.subList(Math.max(0, lines.size() - n), lines.size())
                .forEach(line -> text.append("  ").append(line).append('\n'));
        return text.toString();
    }
}
