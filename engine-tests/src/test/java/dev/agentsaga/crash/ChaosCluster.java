package dev.agentsaga.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The three {@link ChaosNode} JVMs of a {@link ChaosTest}: started, killed with SIGKILL and started
 * again under the same node id. Run numbers tell the JVMs apart: node 1 runs as 101, 102, ...
 */
final class ChaosCluster {

    static final int NODES = 3;

    private final Path logs;

    private final String jdbcUrl;

    private final ChaosNodeProcess[] nodes = new ChaosNodeProcess[NODES];

    private final Set<Integer> killedRuns = new HashSet<>();

    ChaosCluster(Path logs, String jdbcUrl) {
        this.logs = logs;
        this.jdbcUrl = jdbcUrl;
    }

    static String nodeId(int index) {
        return "chaos-node-" + (index + 1);
    }

    /** Launches the nodes and waits, bounded, until each has started its engine. */
    void start(Duration timeout) throws InterruptedException {
        for (int i = 0; i < NODES; i++) {
            nodes[i] = ChaosNodeProcess.launch(logs, jdbcUrl, nodeId(i), (i + 1) * 100 + 1);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ChaosNodeProcess node : nodes) {
            while (!node.started()) {
                if (!node.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("Node " + node.nodeId() + " did not start within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Kills a node that is up and owns running sagas (else any node that is up, else any node) and starts
     * it again at once. A node that is still starting owns the leases of its previous run, so being up is
     * checked apart, from its log.
     */
    void killAndRestart(Random random, Collection<String> busyOwners) {
        List<Integer> up = new ArrayList<>();
        List<Integer> working = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            if (nodes[i].started()) {
                up.add(i);
                if (busyOwners.contains(nodeId(i))) {
                    working.add(i);
                }
            }
        }
        List<Integer> candidates = !working.isEmpty() ? working : !up.isEmpty() ? up : List.of(0, 1, 2);
        int victim = candidates.get(random.nextInt(candidates.size()));
        ChaosNodeProcess killed = nodes[victim];
        killed.kill();
        killedRuns.add(killed.run());
        nodes[victim] = ChaosNodeProcess.launch(logs, jdbcUrl, killed.nodeId(), killed.run() + 1);
    }

    /** The runs the driver killed (not those stopped at the end). */
    Set<Integer> killedRuns() {
        return Set.copyOf(killedRuns);
    }

    /**
     * Claims of a saga that was RUNNING or COMPENSATING under another run's lease (a killed run, or the
     * previous run of a node restarted under its own id): every run prints one line per such claim.
     */
    long recoveries() {
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".log"))
                    .flatMap(ChaosCluster::lines)
                    .filter(line -> line.startsWith(ChaosNode.RECOVERED))
                    .count();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The sagas a run found taken over after it was paused past their lease, as
     * {@link ChaosInvariants#takenOver(int, String)}: the engine logs each one when fencing refuses its write.
     */
    Set<String> takenOver() {
        Pattern file = Pattern.compile("-run(\\d+)\\.log$");
        Pattern line = Pattern.compile("Saga (\\S+) was taken over by another engine");
        Set<String> found = new HashSet<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.toList()) {
                Matcher run = file.matcher(log.getFileName().toString());
                if (!run.find()) {
                    continue;
                }
                lines(log).map(line::matcher).filter(Matcher::find).forEach(saga -> found
                        .add(ChaosInvariants.takenOver(Integer.parseInt(run.group(1)), saga.group(1))));
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return found;
    }

    /** Fails when a node died without being killed. */
    void assertAlive() {
        for (ChaosNodeProcess node : nodes) {
            if (!node.isAlive()) {
                throw new AssertionError("Node " + node.nodeId() + " run " + node.run() + " died by itself");
            }
        }
    }

    /** Kills whatever still runs; idempotent. */
    void stop() {
        for (ChaosNodeProcess node : nodes) {
            if (node != null && node.isAlive()) {
                node.kill();
            }
        }
    }

    /** The tail of the current run's log of each node. */
    String describe() {
        return Stream.of(nodes).filter(node -> node != null).map(ChaosNodeProcess::describe)
                .collect(Collectors.joining("\n"));
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
