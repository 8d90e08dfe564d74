package dev.agentsaga.engine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStatus;

/**
 * Callers waiting for sagas to rest, by saga id. A saga that rests on this engine tells its own callers at
 * once, and only them, handing over its output when it completed; a saga that rests on another engine is told
 * by the store's notifications where it has them ({@link dev.agentsaga.spi.SagaStore#listenForRests}), and a
 * caller reads the saga's row again after its longest wait otherwise.
 */
final class RestNotices {

    private final Map<String, Watched> bySaga = new ConcurrentHashMap<>();

    /**
     * Starts watching {@code sagaId}: rests from now on reach the returned watch, which the caller closes when it
     * stops waiting. Registered before the caller reads the saga's row, so that no rest falls between the two.
     */
    Watch watch(String sagaId) {
        Watched watched = bySaga.compute(sagaId, (id, w) -> {
            Watched each = w == null ? new Watched() : w;
            each.callers++;
            return each;
        });
        return new Watch(sagaId, watched);
    }

    /**
     * {@code sagaId} rested as {@code status}, with {@code output} when it completed here, or changed in a way
     * its callers learn by reading it again ({@code status} null).
     */
    void rested(String sagaId, @Nullable SagaStatus status, @Nullable String output) {
        Watched watched = bySaga.get(sagaId);
        if (watched != null) {
            watched.rest(new Rest(status, output));
        }
    }

    /** Tells every caller to read its saga again: the engine stops, or the notifications were interrupted. */
    void everyoneLookAgain() {
        bySaga.values().forEach(watched -> watched.rest(new Rest(null, null)));
    }

    /**
     * How a saga rested: its status (null: unknown, read the saga) and, when it completed on this engine, its
     * output as journaled.
     */
    record Rest(@Nullable SagaStatus status, @Nullable String output) {
    }

    /** One caller's watch of a saga. */
    final class Watch implements AutoCloseable {

        private final String sagaId;

        private final Watched watched;

        private CompletableFuture<Notice> next;

        private Watch(String sagaId, Watched watched) {
            this.sagaId = sagaId;
            this.watched = watched;
            this.next = watched.next();
        }

        /**
         * The next rest after the last one this watch returned (or after it was made), or null when none came
         * within {@code millis}.
         */
        @Nullable Rest await(long millis) throws InterruptedException {
            try {
                Notice notice = next.get(Math.max(1, millis), TimeUnit.MILLISECONDS);
                // the rest after this one: none is lost between the two
                next = notice.following();
                return notice.rest();
            }
            catch (TimeoutException ex) {
                return null;
            }
            catch (ExecutionException ex) {
                // never completed exceptionally
                throw new IllegalStateException(ex.getCause());
            }
        }

        @Override
        public void close() {
            bySaga.computeIfPresent(sagaId, (id, w) -> --w.callers == 0 ? null : w);
        }
    }

    /** A rest, and where the one after it will be told. */
    private record Notice(Rest rest, CompletableFuture<Notice> following) {
    }

    /** The callers of one saga, and the rest they wait for next. */
    private static final class Watched {

        private int callers;

        private CompletableFuture<Notice> next = new CompletableFuture<>();

        synchronized CompletableFuture<Notice> next() {
            return next;
        }

        synchronized void rest(Rest rest) {
            CompletableFuture<Notice> done = next;
            next = new CompletableFuture<>();
            done.complete(new Notice(rest, next));
        }
    }
}
