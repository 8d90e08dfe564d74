package dev.agentsaga.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SagaStoreUnavailableException;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.SagaStore;

/**
 * Groups the hot-path journal writes of concurrent sagas into shared transactions, one commit for
 * many writes. There is no flusher thread and no timer: the saga threads that write take turns
 * leading. A thread that finds no group being written writes at once; the writes that arrive while a
 * group commits queue up and form the next group, led by the first of them. One group at a time: on
 * two cores, more groups at once measured slower, each paying its own round trips. A write returns only
 * after its group committed, so nothing a saga goes on with can be lost. See {@code docs/group-commit.md}.
 */
final class GroupCommit {

    private final SagaStore store;

    private final int maxBatch;

    private final ReentrantLock lock = new ReentrantLock();

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();

    /** Whether a group is being written now: one at a time, while the next one forms. */
    private boolean leading;

    GroupCommit(SagaStore store, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        this.store = store;
        this.maxBatch = maxBatch;
    }

    /**
     * Writes and returns once the write is durable.
     * @return false when the write's lease was lost (nothing of it written)
     * @throws SagaStoreException when the write could not be made
     */
    boolean write(JournalWrite write) {
        Pending own = new Pending(write, Thread.currentThread());
        boolean lead;
        lock.lock();
        try {
            lead = !leading;
            if (lead) {
                leading = true;
            }
            else {
                queue.add(own);
            }
        }
        finally {
            lock.unlock();
        }
        if (!lead) {
            own.awaitTurn();
        }
        if (own.state != Pending.DONE) {
            lead(own);
        }
        return own.result();
    }

    /**
     * Writes a group of the own write and what is queued behind it, then hands the lead to the next
     * queued write, taken off the queue: its thread wakes up leading.
     */
    private void lead(Pending own) {
        List<Pending> group = new ArrayList<>();
        group.add(own);
        lock.lock();
        try {
            while (group.size() < maxBatch && !queue.isEmpty()) {
                group.add(queue.poll());
            }
        }
        finally {
            lock.unlock();
        }
        try {
            flush(group);
        }
        finally {
            Pending next;
            lock.lock();
            try {
                next = queue.poll();
                leading = next != null;
            }
            finally {
                lock.unlock();
            }
            if (next != null) {
                next.signal(Pending.LEAD);
            }
        }
    }

    private void flush(List<Pending> group) {
        List<JournalWrite> writes = new ArrayList<>(group.size());
        group.forEach(pending -> writes.add(pending.write));
        try {
            boolean[] written = store.writeAll(writes);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).finish(written[i], null);
            }
        }
        catch (SagaStoreUnavailableException ex) {
            // the database is away: every write of the group shares the fate, none is to blame
            group.forEach(pending -> pending.finish(false, ex));
        }
        catch (RuntimeException ex) {
            if (group.size() == 1) {
                group.get(0).finish(false, ex);
                return;
            }
            // one faulty write must not fail the others: each on its own, each with its own outcome
            for (Pending pending : group) {
                try {
                    pending.finish(store.writeAll(List.of(pending.write))[0], null);
                }
                catch (RuntimeException single) {
                    pending.finish(false, single);
                }
            }
        }
        catch (Error ex) {
            group.forEach(pending -> pending.finish(false, ex));
            throw ex;
        }
    }

    /** A write and how it ended, handed between threads. */
    private static final class Pending {

        static final int WAITING = 0;

        static final int LEAD = 1;

        static final int DONE = 2;

        final JournalWrite write;

        final Thread thread;

        volatile int state = WAITING;

        private boolean written;

        private @Nullable Throwable failure;

        Pending(JournalWrite write, Thread thread) {
            this.write = write;
            this.thread = thread;
        }

        void finish(boolean written, @Nullable Throwable failure) {
            this.written = written;
            this.failure = failure;
            signal(DONE);
        }

        void signal(int to) {
            state = to;
            if (thread != Thread.currentThread()) {
                LockSupport.unpark(thread);
            }
        }

        /**
         * Waits until the write is done or it is this thread's turn to lead, without giving up when
         * interrupted: the write may already be part of a group being committed, and its outcome
         * decides what the saga does next. The interrupt is kept for the caller.
         */
        void awaitTurn() {
            boolean interrupted = false;
            while (state == WAITING) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        boolean result() {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return written;
        }
    }
}
