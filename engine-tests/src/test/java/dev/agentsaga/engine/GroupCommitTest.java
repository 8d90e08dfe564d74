package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.JournalWrite.AppendStep;
import dev.agentsaga.spi.JournalWrite.CompleteSaga;
import dev.agentsaga.spi.JournalWrite.UpdateStep;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.spi.WorkflowKey;
import dev.agentsaga.store.jdbc.JdbcSagaStore;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.StatementLog;

/**
 * {@link GroupCommit} on the PostgreSQL store, driven by many threads at once as the workers of an
 * engine would: a write is committed when {@code write} returns, concurrent writes share transactions,
 * a lost lease or a write the database refuses concerns only its own caller.
 *
 * <p>The store under test is the real {@link JdbcSagaStore}, seen through a {@link StatementLog} (to count
 * commits) and a pass-through proxy that records the batches handed to {@code writeAll} and can hold the
 * first one, so a test can line the other writers up behind it. The journal is read back through a
 * second store on the same pool, not logged.
 */
class GroupCommitTest {

    static final String OWNER = "group-commit-test";

    static final int THREADS = 32;

    static final Duration BOUND = Duration.ofSeconds(30);

    static TestDatabase schema;

    static StatementLog statements;

    /** The store the tests read through, on the schema's pool, not logged. */
    static SagaStore reader;

    final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    RecordingStore store;

    ExecutorService writers;

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql();
        statements = new StatementLog(schema.dataSource());
        reader = new JdbcSagaStore(schema.dataSource(), schema.tablePrefix());
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @BeforeEach
    void setUp() {
        store = new RecordingStore(new JdbcSagaStore(statements.dataSource(), schema.tablePrefix()));
        AtomicInteger counter = new AtomicInteger();
        writers = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "gc-writer-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        statements.clear();
    }

    @AfterEach
    void tearDown() {
        store.open();
        writers.shutdownNow();
    }

    @Test
    void concurrentWritesShareTransactionsAndEachIsCommittedWhenWriteReturns() throws Exception {
        int appends = 10;
        GroupCommit group = new GroupCommit(store.proxy(), 64);
        List<Lease> leases = newSagas(THREADS);
        CountDownLatch go = new CountDownLatch(1);

        List<Future<?>> done = new ArrayList<>();
        for (Lease lease : leases) {
            done.add(writers.submit(() -> {
                go.await();
                for (int seq = 1; seq <= appends; seq++) {
                    assertThat(group.write(new AppendStep(lease, step(lease.sagaId(), seq)))).isTrue();
                    // read from another connection right after the return: the step must be committed
                    assertThat(reader.loadJournal(lease.sagaId())).as("journal of %s when write returned", lease)
                            .extracting(StepRecord::seq).contains(seq);
                }
                StepRecord rewritten = step(lease.sagaId(), appends).finished(StepStatus.FAILED, null, "{}", 2, now);
                assertThat(group.write(new UpdateStep(lease, rewritten))).isTrue();
                assertThat(reader.loadJournal(lease.sagaId())).as("journal of %s when the update returned", lease)
                        .contains(rewritten);
                assertThat(group.write(new CompleteSaga(lease, "\"done\"", now))).isTrue();
                assertThat(reader.findInstance(lease.sagaId()).orElseThrow().status())
                        .as("%s when its completion returned", lease).isEqualTo(SagaStatus.COMPLETED);
                return null;
            }));
        }
        go.countDown();
        awaitAll(done);

        int writes = THREADS * (appends + 2);
        List<StatementLog.Entry> commits = writerCommits();
        System.out.printf("group commit: %d writes from %d threads in %d transactions, largest batch %d%n", writes,
                THREADS, commits.size(), store.largestBatch());
        assertThat(commits).as("transactions for %d writes", writes).hasSizeLessThan(writes);
        assertThat(store.largestBatch()).as("the largest batch").isGreaterThan(1);
        assertThat(store.writesSeen()).as("writes handed to the store").isEqualTo(writes);
        store.assertEveryBatchHasDistinctSagas();
        for (Lease lease : leases) {
            assertThat(reader.loadJournal(lease.sagaId())).extracting(StepRecord::seq)
                    .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        }
    }

    @Test
    void aLoneWriterCommitsEachWriteAtOnceInATransactionOfItsOwn() {
        GroupCommit group = new GroupCommit(store.proxy(), 64);
        Lease lease = newSagas(1).get(0);

        for (int seq = 1; seq <= 5; seq++) {
            assertThat(group.write(new AppendStep(lease, step(lease.sagaId(), seq)))).isTrue();
            assertThat(reader.loadJournal(lease.sagaId())).hasSize(seq);
        }
        assertThat(group.write(new CompleteSaga(lease, "\"done\"", now))).isTrue();

        assertThat(reader.findInstance(lease.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(statements.entries(thread -> thread.equals(Thread.currentThread().getName())))
                .filteredOn(StatementLog.Entry::isCommit).as("commits of six writes made one after the other")
                .hasSize(6);
        assertThat(store.batchSizes()).containsOnly(1);
    }

    @Test
    void noBatchIsLargerThanTheMaximum() throws Exception {
        GroupCommit group = new GroupCommit(store.proxy(), 4);
        List<Lease> leases = newSagas(THREADS);
        CountDownLatch go = new CountDownLatch(1);

        List<Future<?>> done = new ArrayList<>();
        for (Lease lease : leases) {
            done.add(writers.submit(() -> {
                go.await();
                for (int seq = 1; seq <= 5; seq++) {
                    assertThat(group.write(new AppendStep(lease, step(lease.sagaId(), seq)))).isTrue();
                }
                return null;
            }));
        }
        go.countDown();
        awaitAll(done);

        assertThat(store.batchSizes()).as("batch sizes").allSatisfy(size -> assertThat(size).isBetween(1, 4));
        assertThat(store.writesSeen()).isEqualTo(THREADS * 5);
        store.assertEveryBatchHasDistinctSagas();
        for (Lease lease : leases) {
            assertThat(reader.loadJournal(lease.sagaId())).hasSize(5);
        }
    }

    @Test
    void aWriteTheDatabaseRefusesFailsOnlyItsOwnCaller() throws Exception {
        GroupCommit group = new GroupCommit(store.proxy(), 64);
        List<Lease> leases = newSagas(THREADS);
        Lease faulty = leases.get(THREADS / 2);
        StepRecord existing = step(faulty.sagaId(), 1);
        reader.write(new AppendStep(faulty, existing));
        StepRecord duplicate = StepRecord.of(faulty.sagaId(), 1, "other", StepKind.CALL, null, StepStatus.SUCCEEDED,
                null, "\"again\"", null, 1, now, now);
        Map<Lease, JournalWrite> writes = new LinkedHashMap<>();
        for (Lease lease : leases) {
            writes.put(lease, lease == faulty ? new AppendStep(lease, duplicate) : new AppendStep(lease,
                    step(lease.sagaId(), 1)));
        }

        Map<Lease, Object> outcomes = writeBehindAHeldBatch(group, leases, writes);

        assertThat(outcomes.get(faulty)).as("what the caller of the refused write got")
                .isInstanceOf(SagaStoreException.class);
        for (Lease lease : leases) {
            if (lease != faulty) {
                assertThat(outcomes.get(lease)).as("what the caller of %s got", lease).isEqualTo(Boolean.TRUE);
            }
        }
        assertThat(reader.loadJournal(faulty.sagaId())).containsExactly(existing);
        assertThat(store.failedBatches()).as("batches that failed")
                .anySatisfy(batch -> assertThat(batch).hasSizeGreaterThan(1).contains(writes.get(faulty)));
        // the group still works, for the faulty saga as for any other
        assertThat(group.write(new AppendStep(faulty, step(faulty.sagaId(), 2)))).isTrue();
        assertThat(reader.loadJournal(faulty.sagaId())).extracting(StepRecord::seq).containsExactly(1, 2);
    }

    @Test
    void aWriteWhoseLeaseWasLostReturnsFalseAndTheOthersCommit() throws Exception {
        GroupCommit group = new GroupCommit(store.proxy(), 64);
        List<Lease> leases = newSagas(THREADS - 2);
        String stolenWorkflow = "stolen-" + UUID.randomUUID();
        Lease taken = newSaga(UUID.randomUUID().toString(), stolenWorkflow);
        reader.renewLeases(OWNER, List.of(taken.sagaId()), now.minusSeconds(1));
        assertThat(reader.claim("another-node", List.of(new WorkflowKey(stolenWorkflow, "1")), 10, false, now,
                now.plusSeconds(60))).hasSize(1);
        Lease foreign = newSagas(1).get(0);
        Lease wrongOwner = new Lease(foreign.sagaId(), "not-the-owner", foreign.epoch());
        List<Lease> all = new ArrayList<>(leases);
        all.add(THREADS / 3, taken);
        all.add(2 * THREADS / 3, wrongOwner);
        Map<Lease, JournalWrite> writes = new LinkedHashMap<>();
        for (Lease lease : all) {
            writes.put(lease, lease == wrongOwner ? new CompleteSaga(lease, "\"stolen\"", now)
                    : new AppendStep(lease, step(lease.sagaId(), 1)));
        }

        Map<Lease, Object> outcomes = writeBehindAHeldBatch(group, all, writes);

        assertThat(outcomes.get(taken)).as("the append under a lease taken over").isEqualTo(Boolean.FALSE);
        assertThat(outcomes.get(wrongOwner)).as("the completion under another owner").isEqualTo(Boolean.FALSE);
        for (Lease lease : leases) {
            assertThat(outcomes.get(lease)).as("what the caller of %s got", lease).isEqualTo(Boolean.TRUE);
        }
        assertThat(reader.loadJournal(taken.sagaId())).isEmpty();
        assertThat(reader.findInstance(taken.sagaId()).orElseThrow().owner()).isEqualTo("another-node");
        assertThat(reader.findInstance(foreign.sagaId()).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(store.failedBatches()).as("a lost lease is not a failure of the batch").isEmpty();
        assertThat(store.batches()).as("batches").anySatisfy(batch -> assertThat(batch).hasSizeGreaterThan(1)
                .contains(writes.get(taken), writes.get(wrongOwner)));
    }

    @Test
    void aWriterInterruptedWhileItsWriteWaitsStillGetsItsOutcomeOnceCommitted() throws Exception {
        GroupCommit group = new GroupCommit(store.proxy(), 64);
        List<Lease> leases = newSagas(2);
        Lease first = leases.get(0);
        Lease second = leases.get(1);
        store.holdFirstBatch();
        Future<Boolean> firstWrite = writers.submit(() -> group.write(new AppendStep(first, step(first.sagaId(), 1))));
        assertThat(store.awaitHeld(BOUND)).as("the first batch reached the store").isTrue();
        List<Thread> waiting = new CopyOnWriteArrayList<>();
        CountDownLatch entering = new CountDownLatch(1);
        Future<Boolean> secondWrite = writers.submit(() -> {
            waiting.add(Thread.currentThread());
            entering.countDown();
            boolean written = group.write(new AppendStep(second, step(second.sagaId(), 1)));
            // the journal is read before anything else: the interrupt must not have cut the wait short
            assertThat(reader.loadJournal(second.sagaId())).as("journal when the interrupted write returned")
                    .hasSize(1);
            return written;
        });
        assertThat(entering.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        awaitParked(waiting);

        waiting.get(0).interrupt();
        store.open();

        assertThat(secondWrite.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(firstWrite.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(reader.loadJournal(first.sagaId())).hasSize(1);
    }

    @Test
    void aBatchCutShortByALostConnectionIsRetriedWhole() throws Exception {
        GroupCommit group = new GroupCommit(store.proxy(), 64);
        List<Lease> leases = newSagas(THREADS);
        Map<Lease, JournalWrite> writes = new LinkedHashMap<>();
        for (Lease lease : leases) {
            // the held first write completes its saga, so that the lost connection hits the batch behind it
            writes.put(lease, lease == leases.get(0) ? new CompleteSaga(lease, "\"done\"", now)
                    : new AppendStep(lease, step(lease.sagaId(), 1)));
        }
        statements.failNext("INSERT INTO " + schema.tablePrefix() + "step", 1, "08006");

        Map<Lease, Object> outcomes = writeBehindAHeldBatch(group, leases, writes);

        assertThat(statements.injectedFailuresLeft()).as("lost connections still to come").isZero();
        assertThat(outcomes.values()).as("what the callers got").containsOnly(Boolean.TRUE);
        assertThat(store.failedBatches()).as("batches that failed after the store's retries").isEmpty();
        assertThat(store.batchSizes()).as("batch sizes").contains(THREADS - 1);
        for (Lease lease : leases.subList(1, THREADS)) {
            assertThat(reader.loadJournal(lease.sagaId())).as("journal of %s", lease).hasSize(1);
        }
    }

    /**
     * The first lease's write goes first and its batch is held in the store until every other writer waits
     * inside {@code write}; then it is let go, so the others form the next batch together. Each caller checks
     * the journal right after its write returned true. Returns what each write returned or threw.
     */
    private Map<Lease, Object> writeBehindAHeldBatch(GroupCommit group, List<Lease> leases,
            Map<Lease, JournalWrite> writes) throws Exception {
        Map<Lease, Object> outcomes = new ConcurrentHashMap<>();
        List<Thread> followers = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch entering = new CountDownLatch(leases.size() - 1);
        store.holdFirstBatch();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < leases.size(); i++) {
            Lease lease = leases.get(i);
            boolean first = i == 0;
            done.add(writers.submit(() -> {
                if (!first) {
                    go.await();
                    followers.add(Thread.currentThread());
                    entering.countDown();
                }
                Object outcome;
                try {
                    outcome = group.write(writes.get(lease));
                }
                catch (SagaStoreException ex) {
                    outcome = ex;
                }
                outcomes.put(lease, outcome);
                if (Boolean.TRUE.equals(outcome) && writes.get(lease) instanceof AppendStep append) {
                    assertThat(reader.loadJournal(lease.sagaId())).as("journal of %s when write returned", lease)
                            .contains(append.step());
                }
                return null;
            }));
        }
        assertThat(store.awaitHeld(BOUND)).as("the first batch reached the store").isTrue();
        go.countDown();
        assertThat(entering.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        awaitParked(followers);
        store.open();
        awaitAll(done);
        assertThat(outcomes).hasSize(leases.size());
        return outcomes;
    }

    /**
     * Waits until every follower is parked (inside {@code write}, the only place left where it can wait):
     * no latch can tell that a thread has queued its write inside the group, so this polls the threads'
     * states, bounded.
     */
    private static void awaitParked(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!threads.stream().allMatch(thread -> thread.getState() == Thread.State.WAITING
                || thread.getState() == Thread.State.TIMED_WAITING)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("writers did not wait in GroupCommit.write within " + BOUND + ": "
                        + threads.stream().map(thread -> thread.getName() + " " + thread.getState()).toList());
            }
            Thread.sleep(1);
        }
    }

    private List<StatementLog.Entry> writerCommits() {
        return statements.entries(thread -> thread.startsWith("gc-writer-")).stream()
                .filter(StatementLog.Entry::isCommit).toList();
    }

    private static void awaitAll(List<Future<?>> futures) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        for (Future<?> future : futures) {
            try {
                future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (ExecutionException ex) {
                if (ex.getCause() instanceof AssertionError assertion) {
                    throw assertion;
                }
                throw ex;
            }
        }
    }

    private List<Lease> newSagas(int count) {
        List<Lease> leases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            leases.add(newSaga(UUID.randomUUID().toString(), "gc"));
        }
        return leases;
    }

    private Lease newSaga(String id, String workflow) {
        assertThat(reader.createInstance(new NewSaga(id, workflow, "1", "{}", OWNER, now, now.plusSeconds(120))))
                .isTrue();
        return new Lease(id, OWNER, reader.findInstance(id).orElseThrow().leaseEpoch());
    }

    private StepRecord step(String sagaId, int seq) {
        return StepRecord.of(sagaId, seq, "call-" + seq, StepKind.CALL, null, StepStatus.SUCCEEDED, null,
                "\"" + seq + "\"", null, 1, now, now);
    }

    /**
     * The real store behind a pass-through proxy: every call goes to it unchanged; calls of
     * {@code writeAll} are recorded (the writes and whether the call threw), and the first one can be held
     * until {@link #open()}.
     */
    static final class RecordingStore {

        record Batch(List<JournalWrite> writes, boolean failed) {
        }

        private final SagaStore target;

        private final List<Batch> batches = new CopyOnWriteArrayList<>();

        private final AtomicInteger calls = new AtomicInteger();

        private volatile CountDownLatch held = new CountDownLatch(0);

        private volatile CountDownLatch gate = new CountDownLatch(0);

        RecordingStore(SagaStore target) {
            this.target = target;
        }

        SagaStore proxy() {
            return (SagaStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { SagaStore.class },
                    (proxy, method, args) -> {
                        boolean batch = method.getName().equals("writeAll");
                        if (batch && calls.incrementAndGet() == 1) {
                            held.countDown();
                            if (!gate.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                                throw new AssertionError("the held batch was never let go");
                            }
                        }
                        try {
                            Object result = method.invoke(target, args);
                            if (batch) {
                                batches.add(new Batch(writes(args), false));
                            }
                            return result;
                        }
                        catch (InvocationTargetException ex) {
                            if (batch) {
                                batches.add(new Batch(writes(args), true));
                            }
                            throw ex.getCause();
                        }
                    });
        }

        @SuppressWarnings("unchecked")
        private static List<JournalWrite> writes(Object[] args) {
            return List.copyOf((List<JournalWrite>) args[0]);
        }

        /** Holds the next first call of {@code writeAll} (counted from now) until {@link #open()}. */
        void holdFirstBatch() {
            calls.set(0);
            held = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }

        boolean awaitHeld(Duration timeout) throws InterruptedException {
            return held.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void open() {
            gate.countDown();
        }

        List<List<JournalWrite>> batches() {
            return batches.stream().map(Batch::writes).toList();
        }

        List<List<JournalWrite>> failedBatches() {
            return batches.stream().filter(Batch::failed).map(Batch::writes).toList();
        }

        List<Integer> batchSizes() {
            return batches.stream().map(batch -> batch.writes().size()).toList();
        }

        int largestBatch() {
            return batchSizes().stream().mapToInt(Integer::intValue).max().orElse(0);
        }

        /** How many writes the store was asked for, counting each once though a failed batch is retried. */
        int writesSeen() {
            Set<JournalWrite> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            batches.forEach(batch -> distinct.addAll(batch.writes()));
            return distinct.size();
        }

        void assertEveryBatchHasDistinctSagas() {
            assertThat(batches()).as("batches").allSatisfy(batch -> {
                Set<String> sagas = new HashSet<>();
                batch.forEach(write -> sagas.add(write.lease().sagaId()));
                assertThat(sagas).as("sagas of a batch of %d", batch.size()).hasSize(batch.size());
            });
        }
    }
}
