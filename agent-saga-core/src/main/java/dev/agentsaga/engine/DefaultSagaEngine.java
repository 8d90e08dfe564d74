package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.InvalidSagaIdException;
import dev.agentsaga.Page;
import dev.agentsaga.Resolution;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaFleet;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaQueue;
import dev.agentsaga.StartOptions;
import dev.agentsaga.ForkOverrides;
import dev.agentsaga.SagaComparison;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaSchedule;
import dev.agentsaga.ScheduleView;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.PayloadCodec;
import dev.agentsaga.spi.SagaArchiver;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SagaStore;

/**
 * The engine: starts sagas on its workers, claims runnable ones (recovered, due, signalled) on a
 * poll, keeps their leases alive, and carries out operators' decisions. Built by
 * {@link dev.agentsaga.AgentSaga#builder}.
 */
public final class DefaultSagaEngine implements SagaEngine {

    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);

    private enum State { NEW, RUNNING, STOPPED }

    private final EngineServices services;

    private final SagaRunner runner;

    private final Operations operations;

    private final Forks forks;

    private final Fleet fleet;

    private final @Nullable RetentionSweeper retention;

    private final @Nullable Scheduler scheduler;

    private final EngineSettings settings;

    private final ThreadPoolExecutor workers;

    private final ExecutorService attemptThreads;

    private final Poller poller;

    private final Map<String, LocalRun> running = new ConcurrentHashMap<>();

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    private final RestNotices restNotices = new RestNotices();

    private final RestAnnouncements restAnnouncements;

    /** Use {@link dev.agentsaga.AgentSaga#builder} rather than this constructor. */
    public DefaultSagaEngine(SagaStore store, PayloadCodec codec, EngineSettings settings,
            Map<String, SagaAction<?, ?>> namedActions, List<SagaAction<?, ?>> actions,
            Map<String, AgentWorkflow<?, ?>> namedWorkflows, List<AgentWorkflow<?, ?>> workflows,
            List<SagaObserver> observers, @Nullable SagaArchiver archiver, Map<String, SagaSchedule> schedules) {
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        Registry registry = new Registry(namedActions, actions, namedWorkflows, workflows, settings.defaultPolicy());
        this.attemptThreads = Executors.newCachedThreadPool(threads("agent-saga-attempt-"));
        this.services = new EngineServices(store, codec, registry, settings, new StepExecutor(attemptThreads, settings.clock()),
                new Observers(observers));
        this.runner = new SagaRunner(services);
        this.restAnnouncements = new RestAnnouncements(store, restNotices, settings.restNotifications());
        this.operations = new Operations(services);
        this.forks = new Forks(services);
        this.fleet = new Fleet(services);
        this.retention = settings.retention().enabled()
                ? new RetentionSweeper(services, settings.retention(), archiver, threads("agent-saga-retention-"))
                : null;
        this.workers = new ThreadPoolExecutor(settings.workerThreads(), settings.workerThreads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("agent-saga-worker-"));
        this.poller = new Poller(services, threads("agent-saga-poller-"), running, this::isRunning,
                claim -> submit(claim, false), fleet);
        this.scheduler = schedules.isEmpty() ? null : new Scheduler(services, schedules,
                (workflow, input, sagaId) -> start(workflow, input, sagaId).created(), threads("agent-saga-schedules-"));
    }

    @Override
    public void startup() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("The engine was started already; build a new one to start again");
        }
        restAnnouncements.start();
        poller.start();
        if (retention != null) {
            retention.start();
        }
        if (scheduler != null) {
            // at least once a second, so that a schedule of a tick a second misses none
            scheduler.start(settings.pollInterval().compareTo(Duration.ofSeconds(1)) < 0 ? settings.pollInterval()
                    : Duration.ofSeconds(1));
        }
        log.info("agent-saga engine {} started with {} workers, workflows {}", settings.nodeId(),
                settings.workerThreads(), services.registry().workflowKeys());
    }

    @Override
    public void shutdown(Duration grace) {
        if (state.getAndSet(State.STOPPED) != State.RUNNING) {
            shutdownExecutors();
            restAnnouncements.stop();
            return;
        }
        if (scheduler != null) {
            scheduler.stop();
        }
        poller.stop(grace);
        if (retention != null) {
            retention.stop();
        }
        releaseQueued(workers.getQueue());
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} sagas still ran after the grace of {}; interrupting them, recovery will resume them",
                        running.size(), grace);
                workers.shutdownNow();
                workers.awaitTermination(Math.min(grace.toMillis(), 2000), TimeUnit.MILLISECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        attemptThreads.shutdownNow();
        fleet.remove();
        restAnnouncements.stop();
        restNotices.everyoneLookAgain();
        log.info("agent-saga engine {} stopped", settings.nodeId());
    }

    @Override
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public SagaHandle start(String workflow, @Nullable Object input) {
        return start(workflow, input, UUID.randomUUID().toString());
    }

    @Override
    public SagaHandle start(String workflow, @Nullable Object input, String sagaId) {
        checkSagaId(sagaId);
        return start(workflow, input, StartOptions.defaults().withSagaId(sagaId));
    }

    @Override
    public SagaHandle start(String workflow, @Nullable Object input, StartOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        String sagaId = options.sagaId() != null ? options.sagaId() : UUID.randomUUID().toString();
        checkSagaId(sagaId);
        Registry.WorkflowEntry entry = services.registry().workflow(workflow);
        String json = services.encode(input, () -> "input of saga " + sagaId, sagaId, null);
        Instant now = services.now();
        SagaQueue queue = settings.queues().get(options.queue() != null ? options.queue() : entry.name());
        boolean local = isRunning();
        Instant leaseUntil = now.plus(settings.leaseDuration());
        NewSaga saga = new NewSaga(sagaId, entry.name(), entry.version(), json, local ? settings.nodeId() : null, now,
                leaseUntil).queued(options.queue(), options.partitionKey(), options.priority());
        // a saga of a queue with limits waits PENDING for its turn, claimed within the limits by any node
        boolean queued = queue != null && queue.limited();
        local = local && !queued;
        if (services.store().createInstance(queued ? saga.unowned() : saga)) {
            if (local) {
                services.observer().sagaStarted(sagaId, entry.name());
                submit(new ClaimedSaga(new InstanceRecord(sagaId, entry.name(), entry.version(), SagaStatus.RUNNING, json,
                        null, null, null, false, settings.nodeId(), 1, leaseUntil, null, now, now, 0, 0, null, null,
                        null, null, null, null, null, null, options.queue(), options.partitionKey(),
                        options.priority()), false, null), true);
            }
            else if (queued && isRunning()) {
                services.observer().sagaStarted(sagaId, entry.name());
                poller.wakeUpForQueues();
            }
            return new DefaultSagaHandle(this, sagaId, true);
        }
        InstanceRecord existing = services.store().findInstance(sagaId)
                .orElseThrow(() -> new SagaNotFoundException("Saga " + sagaId + " vanished while it was started", sagaId));
        if (!existing.workflow().equals(entry.name())) {
            throw new SagaIdConflictException("Saga " + sagaId + " exists and belongs to workflow '"
                    + existing.workflow() + "', not '" + entry.name() + "'; use another id", sagaId);
        }
        if (existing.erasedAt() != null) {
            throw new SagaIdConflictException("Saga " + sagaId + " exists and its payloads were erased at "
                    + existing.erasedAt() + ", so this start cannot be matched with its input; use another id",
                    sagaId);
        }
        if (!sameInput(existing.input(), json)) {
            throw new SagaIdConflictException("Saga " + sagaId + " exists with another input; an id starts one saga "
                    + "with one input, so use another id for this input, or start with the same input to get the "
                    + "existing saga", sagaId);
        }
        return new DefaultSagaHandle(this, sagaId, false);
    }

    /** Whether two JSON payloads are the same value: compared decoded, so that the order of keys does not matter. */
    private boolean sameInput(@Nullable String journaled, String given) {
        if (given.equals(journaled)) {
            return true;
        }
        PayloadCodec codec = services.codec();
        return Objects.equals(codec.decode(journaled, Object.class), codec.decode(given, Object.class));
    }

    @Override
    public SagaHandle fork(String sagaId, int fromStep, ForkOverrides overrides) {
        String forkId = forks.fork(sagaId, fromStep, overrides);
        poller.wakeUp();
        return new DefaultSagaHandle(this, forkId, true);
    }

    @Override
    public SagaComparison compare(String sagaIdA, String sagaIdB) {
        return forks.compare(sagaIdA, sagaIdB);
    }

    @Override
    public Optional<SagaView> find(String sagaId) {
        return operations.find(sagaId);
    }

    @Override
    public SagaFleet fleet() {
        return fleet.view();
    }

    @Override
    public List<ScheduleView> schedules() {
        return scheduler == null ? List.of() : scheduler.views();
    }

    @Override
    public Optional<SagaExport> export(String sagaId) {
        return operations.export(sagaId);
    }

    /** The saga's row alone, without its journal: what a handle needs to see whether it rests. */
    Optional<InstanceRecord> instance(String sagaId) {
        return services.store().findInstance(sagaId);
    }

    @Override
    public Page<SagaSummary> list(SagaQuery query) {
        return services.store().list(Objects.requireNonNull(query, "query must not be null"));
    }

    @Override
    public void signal(String sagaId, String name, @Nullable Object payload) {
        operations.signal(sagaId, name, payload);
        poller.wakeUp();
    }

    @Override
    public void cancel(String sagaId) {
        boolean movedToCompensating = operations.cancel(sagaId);
        LocalRun run = running.get(sagaId);
        if (run != null) {
            run.cancel();
        }
        if (movedToCompensating) {
            poller.wakeUp();
        }
    }

    @Override
    public void retry(String sagaId) {
        operations.retry(sagaId);
        poller.wakeUp();
    }

    @Override
    public void resolve(String sagaId, Resolution resolution) {
        operations.resolve(sagaId, Objects.requireNonNull(resolution, "resolution must not be null"));
        poller.wakeUp();
    }

    @Override
    public Instant erase(String sagaId) {
        return operations.erase(sagaId);
    }

    private static void checkSagaId(@Nullable String sagaId) {
        if (sagaId == null) {
            throw new InvalidSagaIdException("A saga id must not be null; start without an id to get a new one");
        }
        if (sagaId.isBlank()) {
            throw new InvalidSagaIdException("A saga id must not be blank; start without an id to get a new one");
        }
        if (sagaId.length() > InvalidSagaIdException.MAX_LENGTH) {
            throw new InvalidSagaIdException("A saga id must be at most " + InvalidSagaIdException.MAX_LENGTH
                    + " characters; this one has " + sagaId.length() + " and starts with '" + sagaId.substring(0, 40)
                    + "'");
        }
    }

    /** Whether {@code sagaId} runs on this engine, or waits on its workers to run. */
    boolean runsHere(String sagaId) {
        return running.containsKey(sagaId);
    }

    /**
     * Whether callers here are told of the rests of sagas on other engines (from now on), so that they need not
     * read a saga often.
     */
    boolean toldOfRestsElsewhere() {
        return restAnnouncements.listening();
    }

    /** The callers waiting for sagas to rest, told by the sagas that rest here. */
    RestNotices restNotices() {
        return restNotices;
    }

    PayloadCodec codec() {
        return services.codec();
    }

    private void submit(ClaimedSaga claim, boolean fresh) {
        InstanceRecord saga = claim.saga();
        LocalRun run = new LocalRun(saga.cancelRequested(), this::isRunning);
        LocalRun ending = running.putIfAbsent(saga.id(), run);
        if (ending != null) {
            // the run that parked or released the saga has not ended here yet, and a signal, a wake-up or an
            // operator made it runnable again: give this claim back, and claim again when that run has ended
            ending.claimedAgain();
            releaseQuietly(saga);
            log.debug("Saga {} claimed while its last run here is ending; given back until that run ends", saga.id());
            return;
        }
        try {
            workers.execute(new QueuedRun(saga, () -> runSaga(claim, fresh, run)));
        }
        catch (RuntimeException rejected) {
            running.remove(saga.id());
            // claimed while the engine stopped: release it so that another engine takes it at once
            releaseQuietly(saga);
            log.debug("Saga {} not run: the engine is stopping; released for another engine", saga.id());
        }
    }

    private void runSaga(ClaimedSaga claim, boolean fresh, LocalRun run) {
        InstanceRecord saga = claim.saga();
        SagaRunner.Rested rested = null;
        try {
            rested = runner.run(claim, fresh, run);
            SagaStatus status = rested.status();
            log.debug("Saga {} rests as {}", saga.id(), status);
            wakeParent(saga, status);
            services.observer().sagaRested(saga.id(), saga.workflow(), status);
        }
        catch (LeaseLost lost) {
            log.warn("Saga {} was taken over by another engine while this one ran it (this engine was paused past "
                    + "its lease); abandoning it without writing anything more", saga.id());
        }
        catch (VirtualMachineError fatal) {
            // the process is in trouble (or a test kit crashed it): no more database work; the lease expires
            log.error("Saga {} stopped by {}; it stays in the journal and will be resumed", saga.id(),
                    fatal.toString());
        }
        catch (Throwable ex) {
            log.error("Saga {} stopped unexpectedly; it stays in the journal and will be resumed", saga.id(), ex);
            releaseQuietly(saga);
        }
        finally {
            running.remove(saga.id());
            // its own callers only, with its output when it completed; they read it again otherwise
            restNotices.rested(saga.id(), rested != null ? rested.status() : null,
                    rested != null ? rested.output() : null);
            restAnnouncements.rested(saga.id());
            if (run.wasClaimedAgain()) {
                poller.wakeUp();
            }
            else {
                poller.runEnded();
            }
        }
    }

    /** Sagas claimed but not started when the engine stops: released so another engine takes them at once. */
    private void releaseQueued(java.util.concurrent.BlockingQueue<Runnable> queue) {
        List<Runnable> queued = new java.util.ArrayList<>();
        queue.drainTo(queued);
        for (Runnable task : queued) {
            if (task instanceof QueuedRun run) {
                running.remove(run.saga().id());
                releaseQuietly(run.saga());
            }
        }
    }

    /**
     * A child that rested wakes its parent (parked waiting for it, to finish or to compensate). A completed child
     * woke it in its completion's transaction ({@link dev.agentsaga.spi.JournalWrite.CompleteSaga#parentId()}): only this engine's
     * poller is woken then, to claim the parent at once. A child that ended otherwise wakes it here; a wake lost
     * to a crash before it is caught by the parent's recheck ({@link EngineSettings#childRecheck()}).
     */
    private void wakeParent(InstanceRecord saga, SagaStatus status) {
        String parentId = saga.parentId();
        if (parentId == null || !(status.isTerminal() || status == SagaStatus.COMPENSATION_FAILED)) {
            return;
        }
        try {
            if (status != SagaStatus.COMPLETED) {
                services.store().wakeParent(parentId, services.now());
            }
            poller.wakeUp();
        }
        catch (RuntimeException ex) {
            log.debug("Could not wake saga {}, the parent of {}; it looks again at its recheck: {}", parentId,
                    saga.id(), ex.getMessage());
        }
    }

    private void releaseQuietly(InstanceRecord saga) {
        try {
            services.store().release(new Lease(saga.id(), settings.nodeId(), saga.leaseEpoch()), services.now());
        }
        catch (RuntimeException ex) {
            log.debug("Could not release saga {}: {}", saga.id(), ex.getMessage());
        }
    }

    private void shutdownExecutors() {
        if (scheduler != null) {
            scheduler.stop();
        }
        poller.shutdownNow();
        workers.shutdownNow();
        attemptThreads.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory threads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A saga waiting for a worker. */
    private record QueuedRun(InstanceRecord saga, Runnable body) implements Runnable {

        @Override
        public void run() {
            body.run();
        }
    }
}
