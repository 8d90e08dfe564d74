package dev.agentsaga.crash;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.agentsaga.test.ChildJvm;

/**
 * One run of a {@link ChaosNode} in a child JVM, its output in {@code <logs>/<nodeId>-run<run>.log}.
 * A node killed and started again is a new run under the same node id.
 */
final class ChaosNodeProcess {

    private final String nodeId;

    private final int run;

    private final ChildJvm jvm;

    private ChaosNodeProcess(String nodeId, int run, ChildJvm jvm) {
        this.nodeId = nodeId;
        this.run = run;
        this.jvm = jvm;
    }

    static ChaosNodeProcess launch(Path logs, String jdbcUrl, String nodeId, int run) {
        return launch(logs, jdbcUrl, nodeId, run, List.of());
    }

    /** Launches a node whose engine takes {@code engineArgs}: the worker count and whether group commit is on. */
    static ChaosNodeProcess launch(Path logs, String jdbcUrl, String nodeId, int run, List<String> engineArgs) {
        List<String> args = new ArrayList<>(List.of(jdbcUrl, nodeId, Integer.toString(run),
                Long.toString(ProcessHandle.current().pid())));
        args.addAll(engineArgs);
        return new ChaosNodeProcess(nodeId, run, ChildJvm.launch(ChaosNode.class,
                logs.resolve(nodeId + "-run" + run + ".log"),
                List.of("-Dlogback.configurationFile=logback-chaos-node.xml"), args));
    }

    String nodeId() {
        return nodeId;
    }

    int run() {
        return run;
    }

    boolean isAlive() {
        return jvm.isAlive();
    }

    /** SIGKILL, as {@code kill -9}, and waits (bounded) until the process is gone. */
    void kill() {
        jvm.kill();
    }

    /** The lines of this run's log. */
    List<String> lines() {
        return jvm.lines();
    }

    /** Whether the node printed that its engine runs. */
    boolean started() {
        return lines().stream().anyMatch(line -> line.startsWith(ChaosNode.STARTED));
    }

    /** The node, its log file and the tail of the log, for assertion messages. */
    String describe() {
        return "chaos node " + nodeId + " run " + run
                + (jvm.isAlive() ? "" : " (exited " + jvm.process().exitValue() + ")") + ", " + jvm.tail(40);
    }
}
