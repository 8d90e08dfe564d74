package dev.agentsaga.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.spi.SagaStore;

/**
 * The rests of sagas told across engines, where the store can ({@link SagaStore#announcesRests()}): the sagas
 * that rest here are announced in batches by a thread of their own, off the workers' path, and the engine
 * listens for the rests other engines announce from the first time a caller here waits for a saga that does not
 * run here, telling that caller's {@link RestNotices}.
 */
final class RestAnnouncements {

    // the engine's logger, so that one logger name covers what the engine does
    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);

    /** Sagas per announcement at most: a few notifications' worth. */
    private static final int BATCH = 500;

    private final SagaStore store;

    private final RestNotices notices;

    private final boolean enabled;

    private final LinkedBlockingQueue<String> rested = new LinkedBlockingQueue<>();

    private final AtomicBoolean listenerStarted = new AtomicBoolean();

    private volatile boolean running;

    private volatile @Nullable Thread announcer;

    private volatile @Nullable AutoCloseable listener;

    RestAnnouncements(SagaStore store, RestNotices notices, boolean enabled) {
        this.store = store;
        this.notices = notices;
        this.enabled = enabled && store.announcesRests();
    }

    /** Starts announcing the rests of the sagas that run here. */
    void start() {
        if (!enabled) {
            return;
        }
        running = true;
        Thread thread = new Thread(this::announce, "agent-saga-rest-announcer");
        thread.setDaemon(true);
        thread.start();
        announcer = thread;
    }

    /** {@code sagaId} rested here: announced to the other engines with the next batch. */
    void rested(String sagaId) {
        if (running) {
            rested.add(sagaId);
        }
    }

    /**
     * A caller here waits for a saga that does not run here: listens for the other engines' rests from now on.
     * @return whether rests are told across engines, so the caller need not read its saga often
     */
    boolean listening() {
        if (!enabled) {
            return false;
        }
        if (listenerStarted.compareAndSet(false, true)) {
            listener = store.listenForRests(new SagaStore.RestListener() {

                @Override
                public void rested(String sagaId) {
                    notices.rested(sagaId, null, null);
                }

                @Override
                public void missed() {
                    notices.everyoneLookAgain();
                }
            });
        }
        return listener != null;
    }

    /** Announces what rested so far, then stops announcing and listening. */
    void stop() {
        running = false;
        Thread thread = announcer;
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        AutoCloseable open = listener;
        if (open != null) {
            try {
                open.close();
            }
            catch (Exception ex) {
                log.debug("Closing the listener for the rests of sagas failed: {}", ex.getMessage());
            }
        }
    }

    private void announce() {
        List<String> batch = new ArrayList<>();
        while (running || !rested.isEmpty()) {
            try {
                String first = rested.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                rested.drainTo(batch, BATCH - 1);
                store.announceRests(batch);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException ex) {
                // callers elsewhere find these rests at their next read
                log.debug("Announcing the rests of {} sagas failed: {}", batch.size(), ex.getMessage());
            }
            finally {
                batch.clear();
            }
        }
    }
}
