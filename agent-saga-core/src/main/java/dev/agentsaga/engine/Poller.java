package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.SagaQueue;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.QueueClaim;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.WorkflowKey;

/**
 * The engine's poller thread: claims runnable sagas (recovered, due, signalled) and hands them to the
 * engine's workers, and keeps the leases of the sagas running on this engine alive, passing on cancels
 * sent to other engines, and the engine's record in the fleet.
 */
final class Poller {

    // the engine's logger, so that one logger name covers what the engine does
    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);

    private final EngineServices services;

    private final EngineSettings settings;

    private final ScheduledExecutorService scheduler;

    private final Map<String, LocalRun> running;

    private final BooleanSupplier engineRunning;

    private final Consumer<ClaimedSaga> submit;

    private final Fleet fleet;

    private final AtomicBoolean reclaimOwn = new AtomicBoolean(true);

    /** Whether a poll asked for by {@link #wakeUp()} waits to run. */
    private final AtomicBoolean pollQueued = new AtomicBoolean();

    /**
     * Whether the next poll claims every kind of runnable saga, not only the limited queues' (a poll asked for by
     * {@link #wakeUpForQueues()} alone claims those).
     */
    private final AtomicBoolean claimAll = new AtomicBoolean(true);

    /** The queues with a limit: their sagas are claimed queue by queue, within the limits. */
    private final List<String> limitedQueues;

    /** Whether the last claim took as many sagas as it could: more may be runnable right away. */
    private volatile boolean claimedFull;

    /**
     * A poller for the engine, on a thread from {@code threads}, not started yet.
     * @param running the sagas running or queued on this engine, by id, kept by the engine
     * @param engineRunning whether the engine runs (neither new nor stopped)
     * @param submit runs a claimed saga on the engine's workers
     */
    Poller(EngineServices services, ThreadFactory threads, Map<String, LocalRun> running, BooleanSupplier engineRunning,
            Consumer<ClaimedSaga> submit, Fleet fleet) {
        this.services = services;
        this.settings = services.settings();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads);
        this.running = running;
        this.engineRunning = engineRunning;
        this.submit = submit;
        this.fleet = fleet;
        this.limitedQueues = settings.queues().values().stream().filter(SagaQueue::limited).map(SagaQueue::name)
                .toList();
    }

    /** Claims once on the caller's thread, then on a fixed delay, with the heartbeat on the same thread. */
    void start() {
        fleet.register();
        services.store().registerQueues(settings.queues().keySet());
        reportOtherVersions();
        long poll = settings.pollInterval().toMillis();
        long heartbeat = Math.max(1, settings.heartbeatInterval().toMillis());
        // the first claim, which also takes back this node's own unfinished sagas, runs before any start()
        poll();
        scheduler.scheduleWithFixedDelay(() -> {
            claimAll.set(true);
            poll();
        }, poll, poll, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
    }

    /** Stops claiming and waits, within the grace, for a claim under way. */
    void stop(Duration grace) {
        scheduler.shutdownNow();
        try {
            // a claim under way finishes before the queue is released, so its sagas are released too
            scheduler.awaitTermination(Math.min(grace.toMillis(), 5000), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    void shutdownNow() {
        scheduler.shutdownNow();
    }

    /** Claims at once rather than at the next poll. */
    void wakeUp() {
        claimAll.set(true);
        queuePoll();
    }

    /** Claims the limited queues' sagas at once: a saga started on one waits for its turn. */
    void wakeUpForQueues() {
        queuePoll();
    }

    private void queuePoll() {
        // wake-ups that arrive while one poll waits to run share it: it claims what each of them made runnable
        if (engineRunning.getAsBoolean() && pollQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::poll);
            }
            catch (RuntimeException ex) {
                // stopping: the next engine to start will find the saga
                pollQueued.set(false);
            }
        }
    }

    /** A run ended: claims again at once when the last claim was full and the workers have room. */
    void runEnded() {
        if (claimedFull && running.size() <= settings.workerThreads()) {
            wakeUp();
        }
    }

    private void poll() {
        // cleared before the claim reads: a wake-up after this point queues a poll of its own
        pollQueued.set(false);
        if (!engineRunning.getAsBoolean()) {
            return;
        }
        try {
            // claim a second batch ahead, queued, so workers do not wait for the next poll
            int free = 2 * settings.workerThreads() - running.size();
            if (free <= 0) {
                return;
            }
            Instant now = services.now();
            boolean includeOwn = reclaimOwn.getAndSet(false);
            List<ClaimedSaga> claimed = new ArrayList<>(claimQueues(includeOwn, now));
            // a configured queue's sagas are claimed within its limits above, the others here
            if (claimAll.getAndSet(false) || includeOwn) {
                claimed.addAll(services.store().claim(settings.nodeId(), services.registry().workflowKeys(),
                        limitedQueues, free - claimed.size(), includeOwn, now,
                        now.plus(settings.leaseDuration())));
            }
            claimedFull = claimed.size() >= free / 2;
            for (ClaimedSaga claim : claimed) {
                InstanceRecord saga = claim.saga();
                log.debug("Claimed saga {} ({}{})", saga.id(), saga.status(), claim.recovered() ? ", recovered" : "");
                services.observer().sagaResumed(saga.id(), saga.workflow(), claim.recovered());
                submit.accept(claim);
            }
        }
        catch (RuntimeException ex) {
            log.warn("Looking for runnable sagas failed; trying again in {}: {}", settings.pollInterval(),
                    ex.getMessage());
        }
    }

    /**
     * Claims the sagas of each configured queue within its limits, up to the workers free now (no batch ahead:
     * a saga claimed takes one of the queue's turns until it rests). A queue another node claims at this moment
     * is left for the next poll.
     */
    private List<ClaimedSaga> claimQueues(boolean includeOwn, Instant now) {
        List<ClaimedSaga> claimed = new ArrayList<>();
        for (SagaQueue queue : settings.queues().values()) {
            if (!queue.limited()) {
                continue;
            }
            int free = settings.workerThreads() - running.size() - claimed.size();
            if (free <= 0) {
                break;
            }
            claimed.addAll(services.store().claimQueue(new QueueClaim(settings.nodeId(), queue,
                    services.registry().workflowKeys(), free, includeOwn, now, now.plus(settings.leaseDuration()))));
        }
        return claimed;
    }

    private void heartbeat() {
        fleet.seen();
        try {
            Instant now = services.now();
            services.store().renewLeases(settings.nodeId(), running.keySet(), now.plus(settings.leaseDuration()));
            // a cancel sent to another engine reaches the run here, at the latest one heartbeat later
            for (String sagaId : services.store().cancelRequested(running.keySet())) {
                LocalRun run = running.get(sagaId);
                if (run != null) {
                    run.cancel();
                }
            }
        }
        catch (RuntimeException ex) {
            log.warn("Renewing the leases of {} sagas failed: {}", running.size(), ex.getMessage());
        }
    }

    /** The sagas this engine's claims leave alone because it runs another version of their workflow. */
    private void reportOtherVersions() {
        Set<WorkflowKey> served = new HashSet<>(services.registry().workflowKeys());
        try {
            for (SagaStore.VersionCount count : services.store().unfinishedByVersion(services.registry().workflowNames())) {
                if (!served.contains(new WorkflowKey(count.workflow(), count.version()))) {
                    log.warn("{} unfinished sagas of workflow '{}' version '{}' are left alone: this engine runs "
                            + "version '{}'. An engine running version '{}' resumes them.", count.count(),
                            count.workflow(), count.version(), services.registry().workflow(count.workflow()).version(),
                            count.version());
                }
            }
        }
        catch (RuntimeException ex) {
            log.warn("Could not count unfinished sagas by version: {}", ex.getMessage());
        }
    }
}
