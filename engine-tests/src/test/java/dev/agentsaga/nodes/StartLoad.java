package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import dev.agentsaga.SagaEngine;

/**
 * Load on a fleet: a thread that starts a saga of one workflow at a steady pace through the node that is the
 * front door, which a test switches as a load balancer would during a rolling upgrade, until closed.
 */
final class StartLoad implements AutoCloseable {

    /** The sagas started, by id, with the node each was started through. */
    final Map<String, String> startedOn = new ConcurrentHashMap<>();

    /** The starts that failed. */
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private final String workflow;

    private final Duration pace;

    private final AtomicReference<SagaEngine> frontDoor;

    private final Thread thread;

    private volatile boolean closed;

    StartLoad(String workflow, SagaEngine frontDoor, Duration pace) {
        this.workflow = workflow;
        this.pace = pace;
        this.frontDoor = new AtomicReference<>(frontDoor);
        this.thread = new Thread(this::run, "start-load");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts the next sagas through {@code node}. */
    void switchTo(SagaEngine node) {
        frontDoor.set(node);
    }

    /** Waits until at least {@code sagas} sagas were started. */
    void awaitStarted(int sagas, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (startedOn.size() < sagas && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(startedOn).as("sagas started").hasSizeGreaterThanOrEqualTo(sagas);
    }

    private void run() {
        for (int n = 0; !closed; n++) {
            SagaEngine node = frontDoor.get();
            String id = workflow + "-" + n;
            try {
                startedOn.put(node.start(workflow, id, id).id(), node.nodeId());
            }
            catch (RuntimeException ex) {
                failures.add(ex);
            }
            try {
                Thread.sleep(pace.toMillis());
            }
            catch (InterruptedException ex) {
                return;
            }
        }
    }

    /** Stops starting sagas; a start under way ends first. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(Duration.ofSeconds(30).toMillis());
    }
}
