package dev.agentsaga;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The nodes that share the journal, the workflow versions each runs, and the unfinished sagas of every
 * version with the running nodes that can resume them. A saga is resumed only by a node that runs its
 * workflow's version: the sagas of a version that no running node runs (a rolling upgrade retired the
 * last node of version 1 before its sagas finished, say) wait until a node of that version runs again.
 *
 * @param at when the view was read
 * @param nodes the recorded nodes, by id: each running engine records itself when it starts and at every
 *        heartbeat, and removes itself when it stops; a node that crashed stays until it is forgotten
 * @param versions every workflow version that has unfinished sagas or that a running node runs, by workflow
 *        and version
 * @param queues the queues the reading node configures ({@link SagaQueue}), with their limits and how many of
 *        their sagas run and wait
 */
public record SagaFleet(Instant at, List<Node> nodes, List<Version> versions, List<Queue> queues) {

    public SagaFleet {
        Objects.requireNonNull(at, "at must not be null");
        nodes = List.copyOf(nodes);
        versions = List.copyOf(versions);
        queues = List.copyOf(queues);
    }

    /** A fleet without configured queues. */
    public SagaFleet(Instant at, List<Node> nodes, List<Version> versions) {
        this(at, nodes, versions, List.of());
    }

    /**
     * A configured queue.
     *
     * @param running its sagas that hold a live lease (run, or are queued on a node's workers)
     * @param waiting its sagas that wait for their turn: PENDING, due after a durable wait, or left by a node
     */
    public record Queue(SagaQueue limits, long running, long waiting) {
    }

    /** The versions with unfinished sagas that no running node runs. */
    public List<Version> unserved() {
        return versions.stream().filter(Version::unserved).toList();
    }

    /** The unfinished sagas that no running node can resume. */
    public long unservedSagas() {
        return unserved().stream().mapToLong(Version::unfinished).sum();
    }

    /**
     * A node.
     *
     * @param workflows the versions it runs, by workflow name
     * @param running whether its heartbeat was recorded within the lease duration (of the node that reads the
     *        view); a node that stopped recording is gone, crashed or cut off from the database
     */
    public record Node(String id, Map<String, String> workflows, Instant startedAt, Instant seenAt, boolean running) {

        public Node {
            workflows = Map.copyOf(workflows);
        }
    }

    /**
     * A workflow version.
     *
     * @param unfinished its sagas that are PENDING, RUNNING, WAITING or COMPENSATING
     * @param runningOn the running nodes that run it, which resume its sagas
     */
    public record Version(String workflow, String version, long unfinished, List<String> runningOn) {

        public Version {
            runningOn = List.copyOf(runningOn);
        }

        /** Whether it has unfinished sagas and no running node resumes them. */
        public boolean unserved() {
            return unfinished > 0 && runningOn.isEmpty();
        }
    }
}
