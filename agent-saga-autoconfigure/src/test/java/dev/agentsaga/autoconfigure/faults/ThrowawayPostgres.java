package dev.agentsaga.autoconfigure.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own, made with the server binaries installed on the machine
 * ({@code /usr/lib/postgresql/<version>/bin}), in a temporary folder, on a free port of the loopback: a
 * server the test may stop and start (the machine's shared server is never restarted). Run as root, the
 * server runs as the user {@code postgres}, as PostgreSQL requires.
 */
final class ThrowawayPostgres implements AutoCloseable {

    private final Path bin;

    private final Path data;

    private final int port;

    private final boolean asPostgresUser;

    private ThrowawayPostgres(Path bin, Path data, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The folder of {@code pg_ctl} and {@code initdb}, newest version first; empty when there is none. */
    static Optional<Path> binaries() {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return Optional.empty();
        }
        try (Stream<Path> found = Files.list(versions)) {
            return found.map(version -> version.resolve("bin"))
                    .filter(dir -> Files.isExecutable(dir.resolve("pg_ctl")) && Files.isExecutable(dir.resolve("initdb")))
                    .max(Comparator.comparingInt(dir -> major(dir.getParent().getFileName().toString())));
        }
        catch (IOException ex) {
            return Optional.empty();
        }
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version.replaceAll("\\..*", ""));
        }
        catch (NumberFormatException ex) {
            return 0;
        }
    }

    /** Makes the cluster and starts it. */
    static ThrowawayPostgres start(Path bin) {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path data = Files.createTempDirectory("agent-saga-pg-");
            if (root) {
                UserPrincipal postgres = data.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres");
                Files.setOwner(data, postgres);
            }
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            ThrowawayPostgres server = new ThrowawayPostgres(bin, data, port, root);
            server.run(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--no-sync");
            server.start();
            return server;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A JDBC URL of the cluster's {@code postgres} database, with its credentials. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    void start() {
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", data.resolve("server.log").toString(),
                "-o", "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start");
    }

    /** Stops the server: {@code fast} (sessions ended, a checkpoint) or {@code immediate} (as a crash). */
    void stop(String mode) {
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode, "-w", "stop");
    }

    @Override
    public void close() {
        try {
            stop("immediate");
        }
        catch (RuntimeException ex) {
            // stopped already
        }
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException ex) {
            // a temporary folder: the machine cleans it
        }
    }

    private void run(String... command) {
        List<String> line = new ArrayList<>();
        if (asPostgresUser) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed: " + output);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", line), ex);
        }
    }
}
