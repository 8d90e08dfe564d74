package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.SagaFleet;
import dev.agentsaga.SagaQueue;
import dev.agentsaga.spi.NodeRecord;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.WorkflowKey;

/**
 * This engine's record in the {@code node} table (written when it starts, at every heartbeat, removed when
 * it stops) and the view of every node's records: which versions run, and which unfinished sagas no
 * running node resumes. Failing to keep the record never stops the engine: it logs and goes on.
 */
final class Fleet {

    // the engine's logger, so that one logger name covers what the engine does
    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);

    /** How long the record of a node that stopped recording itself (it crashed) is kept. */
    static final Duration FORGET_AFTER = Duration.ofHours(1);

    private static final Comparator<WorkflowKey> BY_NAME_AND_VERSION = Comparator.comparing(WorkflowKey::workflow)
            .thenComparing(WorkflowKey::version);

    private final EngineServices services;

    private final AtomicBoolean warned = new AtomicBoolean();

    Fleet(EngineServices services) {
        this.services = services;
    }

    /** Records this engine and the versions it runs, replacing a record left under its id. */
    void register() {
        try {
            Instant now = services.now();
            services.store().registerNode(services.settings().nodeId(), services.registry().workflowKeys(), now,
                    now.minus(FORGET_AFTER));
        }
        catch (RuntimeException ex) {
            warnOnce(ex);
        }
    }

    /** The heartbeat: marks this engine seen, recording it again when its record was forgotten. */
    void seen() {
        try {
            if (!services.store().nodeSeen(services.settings().nodeId(), services.now())) {
                register();
            }
        }
        catch (RuntimeException ex) {
            warnOnce(ex);
        }
    }

    /** Removes this engine's record: it stops. */
    void remove() {
        try {
            services.store().removeNode(services.settings().nodeId());
        }
        catch (RuntimeException ex) {
            log.debug("Could not remove the record of node {}: {}", services.settings().nodeId(), ex.getMessage());
        }
    }

    SagaFleet view() {
        SagaStore store = services.store();
        Instant now = services.now();
        Instant runningSince = now.minus(services.settings().leaseDuration());
        List<SagaFleet.Node> nodes = new ArrayList<>();
        Map<WorkflowKey, List<String>> runningOn = new TreeMap<>(BY_NAME_AND_VERSION);
        for (NodeRecord node : store.nodes()) {
            boolean running = !node.seenAt().isBefore(runningSince);
            Map<String, String> workflows = new LinkedHashMap<>();
            for (WorkflowKey key : node.workflows()) {
                workflows.put(key.workflow(), key.version());
                List<String> on = runningOn.computeIfAbsent(key, k -> new ArrayList<>());
                if (running) {
                    on.add(node.id());
                }
            }
            nodes.add(new SagaFleet.Node(node.id(), workflows, node.startedAt(), node.seenAt(), running));
        }
        Map<WorkflowKey, Long> unfinished = new TreeMap<>(BY_NAME_AND_VERSION);
        for (SagaStore.VersionCount count : store.unfinishedByVersion()) {
            unfinished.put(new WorkflowKey(count.workflow(), count.version()), count.count());
            runningOn.computeIfAbsent(new WorkflowKey(count.workflow(), count.version()), k -> new ArrayList<>());
        }
        List<SagaFleet.Version> versions = new ArrayList<>();
        runningOn.forEach((key, on) -> versions.add(new SagaFleet.Version(key.workflow(), key.version(),
                unfinished.getOrDefault(key, 0L), on)));
        Map<String, SagaQueue> configured = services.settings().queues();
        Map<String, SagaStore.QueueCount> counts = new LinkedHashMap<>();
        store.queueCounts(configured.keySet(), now).forEach(count -> counts.put(count.queue(), count));
        List<SagaFleet.Queue> queues = new ArrayList<>();
        new TreeMap<>(configured).forEach((name, queue) -> {
            SagaStore.QueueCount count = counts.get(name);
            queues.add(new SagaFleet.Queue(queue, count == null ? 0 : count.running(), count == null ? 0
                    : count.waiting()));
        });
        return new SagaFleet(now, nodes, versions, queues);
    }

    private void warnOnce(RuntimeException ex) {
        if (warned.compareAndSet(false, true)) {
            log.warn("Could not record node {} in the node table: {}. The fleet view leaves the node out until it "
                    + "can (is agent-saga's changelog 008 applied?)", services.settings().nodeId(), ex.getMessage());
        }
        else {
            log.debug("Could not record node {}: {}", services.settings().nodeId(), ex.getMessage());
        }
    }
}
