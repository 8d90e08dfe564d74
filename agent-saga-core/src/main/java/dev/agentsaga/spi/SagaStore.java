package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.Page;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;

/**
 * Where sagas and their journals live. Every method is one transaction: when it returns, what it wrote
 * is durable. Losing a race (an id taken, a status changed meanwhile) is a {@code false} return, not an
 * exception; failures to reach the database are {@link dev.agentsaga.SagaStoreException}.
 */
public interface SagaStore {

    /** Inserts a RUNNING saga leased to its owner; false when a saga with that id exists (nothing written). */
    boolean createInstance(NewSaga saga);

    /**
     * Journals the step that starts a child and inserts the child, in one transaction fenced by the parent's
     * lease: the step {@code start} appends (unless the journal holds it already, from a write whose answer
     * was lost) and {@code child}, PENDING and unowned, unless a saga with its id exists.
     * @return false (nothing written) when the parent's lease was lost
     */
    boolean startChild(JournalWrite.AppendStep start, NewSaga child);

    /** The children of the saga, in the order of the steps that started them. */
    List<InstanceRecord> children(String parentId);

    /**
     * Makes the saga runnable now if it is parked (WAITING, or COMPENSATING while it waits for a child):
     * a child that rested wakes its parent. Does nothing otherwise.
     */
    void wakeParent(String parentId, Instant now);

    /**
     * Journals the wait for a child and parks the saga WAITING until {@code wakeAt}, released, as {@link #park}
     * does; when the child has finished already (COMPLETED, COMPENSATED, FAILED), the saga is made runnable at once, so that a child that rested while its parent parked is not missed. False (nothing
     * written) when the lease was lost.
     */
    boolean parkOnChild(JournalWrite.StepWrite wait, String childId, Instant wakeAt, Instant now);

    /**
     * Releases a compensating saga until {@code wakeAt}, keeping it COMPENSATING (it is not claimed before),
     * while it waits for its child {@code childId} to compensate: made runnable at once when the child has
     * rested already (COMPLETED, COMPENSATED, FAILED, COMPENSATION_FAILED), as in {@link #parkOnChild}. False
     * when the lease was lost.
     */
    boolean parkCompensation(Lease lease, String childId, Instant wakeAt, Instant now);

    /**
     * Inserts a fork, PENDING and unowned, with the entries it inherits from its source, in one transaction.
     * @return false (nothing written) when a saga with the fork's id exists
     */
    boolean createFork(NewSaga fork, List<StepRecord> inherited);

    /** The saga, if any. */
    Optional<InstanceRecord> findInstance(String sagaId);

    /** The saga's journal in sequence order, in one query. */
    List<StepRecord> loadJournal(String sagaId);

    /**
     * A page of summaries, newest first. The store may stop counting the total at a limit of its choice,
     * but not before the end of the requested page; it then returns the page with the count where it
     * stopped and {@link Page#totalExact()} false.
     */
    Page<SagaSummary> list(SagaQuery query);

    /**
     * Makes one hot-path write in its own transaction.
     * @return false (nothing written) when the write's lease was lost
     */
    boolean write(JournalWrite write);

    /**
     * Applies hot-path writes of several sagas in one transaction, so that they share one commit. Element
     * {@code i} of the result is false when write {@code i}'s lease was lost (nothing of it is written);
     * the other writes are written regardless. When it returns, every write reported true is durable.
     * The writes concern distinct sagas. The default applies them one by one, each in its own
     * transaction, for stores that cannot do better.
     * @throws dev.agentsaga.SagaStoreException when the transaction failed; then none of it is written
     */
    default boolean[] writeAll(List<JournalWrite> writes) {
        boolean[] written = new boolean[writes.size()];
        for (int i = 0; i < written.length; i++) {
            written[i] = write(writes.get(i));
        }
        return written;
    }

    /**
     * Moves the saga to a resting status (NEEDS_ATTENTION, FAILED, ...) and releases it; a null error or
     * error step keeps the recorded one. False when the lease was lost.
     */
    boolean rest(Lease lease, SagaStatus status, @Nullable String error, @Nullable Integer errorStep, Instant now);

    /**
     * Moves the saga from one of {@code from} to {@code to} and releases it so any engine can claim it.
     * @return false when the saga was in none of {@code from}
     */
    boolean transition(String sagaId, Set<SagaStatus> from, SagaStatus to, @Nullable String error, Instant now);

    /**
     * Decides an in-doubt step: rewrites it and moves the saga from NEEDS_ATTENTION to {@code to}, released.
     * @return false when the saga was no longer NEEDS_ATTENTION
     */
    boolean resolve(StepRecord step, SagaStatus to, @Nullable String error, Instant now);

    /** Starts a compensation (see {@link CompensationStart}); false when the lease was lost. */
    boolean startCompensation(Lease lease, CompensationStart start);

    /** Ends one step's compensation (see {@link CompensationResult}); false when the lease was lost. */
    boolean recordCompensation(Lease lease, CompensationResult result);

    /** Sets {@code cancel_requested} on an unfinished saga; false when the saga is finished or absent. */
    boolean requestCancel(String sagaId, Instant now);

    /**
     * Journals a wait and parks the saga WAITING until {@code wakeAt}, released. When
     * {@code awaitedSignal} names a signal that is already stored and not consumed, the saga is made
     * runnable at once (a signal that raced the wait is not missed). False (nothing written) when the
     * lease was lost.
     */
    boolean park(JournalWrite.StepWrite wait, Instant wakeAt, Instant now, @Nullable String awaitedSignal);

    /**
     * Records a recovery of the saga by the engine that holds {@code lease}: {@code recoveredFrom}, the
     * engines whose runs ended without bringing it to rest since its journal last moved (one per line, oldest
     * first), and {@code mark}, how far the journal had come. False when the lease was lost.
     */
    boolean recordRecovery(Lease lease, String recoveredFrom, long mark);

    /** Releases the saga so that any engine may claim it at once (status unchanged); false when the lease was lost. */
    boolean release(Lease lease, Instant now);

    /**
     * Stores a signal and, when the saga is WAITING, makes it runnable now.
     * @return false (nothing stored) when the saga is finished (COMPLETED, COMPENSATED or FAILED) or absent
     */
    boolean deliverSignal(SignalRecord signal, Instant now);

    /** The oldest signal of that name not yet consumed. */
    Optional<SignalRecord> findSignal(String sagaId, String name);

    /**
     * Marks the signal consumed by the step and journals the step, in one transaction; false (nothing
     * written) when the lease was lost.
     */
    boolean consumeSignal(String signalId, JournalWrite.StepWrite received);

    /**
     * Erases the payloads of a finished saga, in one transaction and only while it is COMPLETED, COMPENSATED
     * or FAILED: the saga's input and output and its signals' payloads become {@link SagaView#ERASED} (those
     * that are null stay null), its error becomes {@code error}, and the payload columns of each of
     * {@code steps} (input, output, error, compensation error, note, fingerprint) are written over those of
     * its journal entry. Every other column is kept: the timeline. Records {@code now} as the saga's
     * {@code erasedAt} unless an earlier erasure recorded it.
     * @param steps the saga's journal entries with their payloads erased
     * @return false (nothing written) when the saga is not finished or absent
     */
    boolean erase(String sagaId, @Nullable String error, List<StepRecord> steps, Instant now);

    /**
     * Claims runnable sagas of the given workflows for {@code owner} until {@code leaseUntil},
     * skipping rows other engines hold locked: up to {@code limit} PENDING, RUNNING and COMPENSATING
     * ones that are unowned or whose lease expired (or owned by {@code owner} itself when
     * {@code includeOwn}), and up to {@code limit} WAITING ones whose time has come. Bumps each claimed saga's lease epoch
     * and makes WAITING and PENDING ones RUNNING.
     */
    default List<ClaimedSaga> claim(String owner, Collection<WorkflowKey> workflows, int limit, boolean includeOwn,
            Instant now, Instant leaseUntil) {
        return claim(owner, workflows, List.of(), limit, includeOwn, now, leaseUntil);
    }

    /**
     * Claims as {@link #claim(String, Collection, int, boolean, Instant, Instant)} does, leaving out the sagas of
     * the configured queues {@code excludedQueues}, which {@link #claimQueue} claims under their limits.
     */
    List<ClaimedSaga> claim(String owner, Collection<WorkflowKey> workflows, Collection<String> excludedQueues,
            int limit, boolean includeOwn, Instant now, Instant leaseUntil);

    /**
     * Claims sagas of one configured queue within its limits, in one transaction under the queue's fleet-wide
     * lock: counts the queue's sagas that hold a live lease (all, this owner's, per partition key), and takes up
     * to as many runnable and due ones as the limits and {@code claim.limit()} leave, in turn order (see
     * {@link dev.agentsaga.SagaQueue}), as {@link #claim} takes them. Empty when another engine holds the lock.
     */
    List<ClaimedSaga> claimQueue(QueueClaim claim);

    /** Makes sure the lock rows of the configured queues exist; called once when the engine starts. */
    void registerQueues(Collection<String> queues);

    /** How many sagas of each of the queues run (hold a live lease) and wait for their turn, at {@code now}. */
    List<QueueCount> queueCounts(Collection<String> queues, Instant now);

    /** Extends the lease of the given sagas that {@code owner} still holds; returns how many. */
    int renewLeases(String owner, Collection<String> sagaIds, Instant leaseUntil);

    /**
     * Adds to the counts of model tokens a saga did not spend again because calls were answered from the
     * journal: to its saved tokens when {@code recovered} (a run that took the saga over from a crash, a
     * takeover, a stop or an operator's retry), else to its tokens replayed on resuming after a wait.
     */
    void addReplayedTokens(String sagaId, long tokens, boolean recovered);

    /** Those of the given sagas on which {@code cancel} was called. */
    Set<String> cancelRequested(Collection<String> sagaIds);

    /** Unfinished sagas of the named workflows, counted per workflow and version. */
    List<VersionCount> unfinishedByVersion(Collection<String> workflows);

    /** Unfinished sagas of every workflow, counted per workflow and version. */
    List<VersionCount> unfinishedByVersion();

    /**
     * Records that the engine {@code nodeId} runs the given workflow versions, seen {@code now}, replacing an
     * earlier record under that id; forgets the nodes not seen since {@code forgetBefore}.
     */
    void registerNode(String nodeId, Collection<WorkflowKey> workflows, Instant now, Instant forgetBefore);

    /** Marks the node seen {@code now}; false when it has no record (forgotten: register it again). */
    boolean nodeSeen(String nodeId, Instant now);

    /** Forgets the node: it stopped. */
    void removeNode(String nodeId);

    /** The recorded nodes, by id. */
    List<NodeRecord> nodes();

    /**
     * Deletes one batch of retention in one transaction, under a lock one engine of the fleet holds at a
     * time: locks up to {@code batch.limit()} finished sagas (COMPLETED, COMPENSATED, FAILED) that the batch
     * selects, skipping rows other transactions hold, hands them with their journals to {@code archiver}
     * (when not null), then deletes them with their steps and signals. Nothing is deleted when the archiver
     * throws ({@link ArchiveFailedException}).
     * @return what was deleted, or null when another engine holds the retention lock
     */
    RetentionBatch.@Nullable Deleted deleteFinished(RetentionBatch batch, @Nullable SagaArchiver archiver);

    /** How many sagas of a queue run and wait. */
    record QueueCount(String queue, long running, long waiting) {
    }

    /**
     * The schedule's row, recorded first with {@code initialTick} as its last tick when it has none. Of several
     * engines recording it at once, one inserts and the others read its row.
     */
    ScheduleRecord schedule(String name, Instant initialTick);

    /**
     * Moves the schedule's last tick from {@code expected} to {@code tick}, recording {@code nodeId} and
     * {@code now}: a compare-and-set.
     * @return false (nothing written) when the last tick is no longer {@code expected}: another engine moved it
     */
    boolean advanceSchedule(String name, Instant expected, Instant tick, String nodeId, Instant now);

    /** The rows of every schedule, by name. */
    List<ScheduleRecord> schedules();

    /**
     * Takes a model call's place in its rate key's minute window, shared by every engine on the store: one more
     * request and {@code reservation.tokens()} more tokens, unless that would pass a limit of the reservation.
     * The first request of a window is granted whatever its tokens, so that no call waits for ever. Concurrent
     * reservations of one window take turns; each sees what the others took.
     * @return true when granted (and counted), false when the window is full (nothing counted)
     * @throws UnsupportedOperationException by default: a store that keeps no rate windows cannot limit calls
     */
    default boolean reserveRate(RateReservation reservation) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no rate windows, so it cannot enforce "
                + "model rate limits: implement SagaStore.reserveRate and addRateTokens, or configure no limits");
    }

    /**
     * Adds {@code tokens} (negative to take back) to the tokens of the window {@code window} of {@code key}: a
     * granted call's recorded usage minus its estimate. A window that is gone is left so.
     * @throws UnsupportedOperationException by default, as {@link #reserveRate}
     */
    default void addRateTokens(String key, Instant window, long tokens) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no rate windows");
    }

    /**
     * Whether this store can tell the engines that share it that sagas rested ({@link #announceRests},
     * {@link #listenForRests}); false by default, and callers waiting for a saga on another engine then read its
     * row from time to time.
     */
    default boolean announcesRests() {
        return false;
    }

    /**
     * Tells the engines that share the store that {@code sagaIds} rested, so that callers waiting for them on
     * other engines learn it without reading their rows. Nothing durable depends on it: a rest that is not told
     * is found by a caller's next read. Does nothing by default.
     */
    default void announceRests(Collection<String> sagaIds) {
    }

    /**
     * Listens for the rests that engines announce, on a thread and a connection of the listener's own, until the
     * returned listener is closed.
     * @return the listener, or null when the store cannot tell rests (the default)
     */
    default @Nullable AutoCloseable listenForRests(RestListener listener) {
        return null;
    }

    /** What an engine is told of the rests that engines announce ({@link #listenForRests}). */
    interface RestListener {

        /** {@code sagaId} rested, on this engine or another. */
        void rested(String sagaId);

        /** Rests may have gone untold (the listening connection was lost): every caller reads its saga again. */
        void missed();
    }

    /** A count of unfinished sagas of one workflow version. */
    record VersionCount(String workflow, String version, long count) {
    }
}
