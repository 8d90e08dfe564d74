package dev.agentsaga.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A main class of the test class path run in a JVM of its own, small and quick to start, its output in
 * a log file, for the crashes that need a real process death: killed with SIGKILL at a moment the test
 * chooses, or halted by the child itself ({@code Runtime.halt}). Every wait is bounded; a child that
 * outlives its bound is killed and the test fails with the tail of its log.
 */
public final class ChildJvm {

    private final Process process;

    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with the test's class path, the JVM options and the arguments; its
     * standard output and error go to {@code log}.
     */
    public static ChildJvm launch(Class<?> mainClass, Path log, List<String> jvmOptions, List<String> args) {
        Objects.requireNonNull(mainClass, "mainClass must not be null");
        try {
            Path folder = log.toAbsolutePath().getParent();
            if (folder != null) {
                Files.createDirectories(folder);
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp",
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
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

    /** The child's process. */
    public Process process() {
        return process;
    }

    /** The file the child's output goes to. */
    public Path log() {
        return log;
    }

    /** Whether the child still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Kills the child with SIGKILL, as {@code kill -9}, and waits until it is gone.
     * @return its exit code (137 on Linux)
     * @throws AssertionError when it survives 10 seconds
     */
    public int kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("The child JVM survived SIGKILL\n" + tail(40));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while killing the child JVM", ex);
        }
        return process.exitValue();
    }

    /**
     * Waits for the child to end by itself and returns its exit code.
     * @throws AssertionError when it does not within {@code timeout} (it is killed first)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("The child JVM did not end within " + timeout + " and was killed\n"
                        + tail(60));
            }
            return process.exitValue();
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for the child JVM", ex);
        }
    }

    /** The lines the child wrote so far. */
    public List<String> lines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        }
        catch (IOException | UncheckedIOException ex) {
            return List.of("(log unreadable: " + ex.getMessage() + ")");
        }
    }

    /** The log file's name and its last {@code n} lines, for assertion messages. */
    public String tail(int n) {
        StringBuilder text = new StringBuilder("child JVM, log " + log.toAbsolutePath() + ":\n");
        List<String> lines = lines();
        lines.subList(Math.max(0, lines.size() - n), lines.size())
                .forEach(line -> text.append("  ").append(line).append('\n'));
        return text.toString();
    }
}
