package dev.agentsaga.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.spi.SagaStore.RestListener;

/**
 * The rests of sagas told through PostgreSQL's {@code LISTEN}/{@code NOTIFY}, on one channel per table prefix
 * ({@code <prefix>rests}). An announcement is one {@code pg_notify} with the ids of the sagas, one per line, in a
 * transaction of its own whose commit does not wait for the WAL to be flushed: it records nothing, and a rest it
 * fails to tell is found by a caller's next read. A listener holds a connection of the data source for as long
 * as it listens, and takes a new one when it loses it; when it starts listening, and when it lost its
 * connection, it tells its caller that rests may have gone untold.
 */
final class PostgresRestChannel {

    private static final Logger log = LoggerFactory.getLogger(PostgresRestChannel.class);

    /** Bytes of ids per notification: PostgreSQL takes payloads shorter than 8,000 bytes. */
    private static final int MAX_PAYLOAD = 7_000;

    private static final long POLL_MILLIS = 500;

    private static final long RECONNECT_MILLIS = 1_000;

    /** How often an announcer looks again whether another session listens. */
    private static final long LISTENERS_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DataSource dataSource;

    private final JdbcCalls db;

    private final String channel;

    /** The server process of this store's own listening connection, whose announcements it needs not. */
    private volatile int ownListener = -1;

    private volatile long listenersCheckedAt;

    private volatile boolean listenedElsewhere;

    PostgresRestChannel(DataSource dataSource, JdbcCalls db, String channel) {
        this.dataSource = dataSource;
        this.db = db;
        this.channel = channel;
    }

    /**
     * Announces the rests, while another session listens on the channel (looked up in {@code pg_stat_activity}
     * at most once a second: a listening session is idle with {@code LISTEN} as its last statement; a session
     * whose statement this role may not see counts as listening): a fleet where no caller waits for a saga on
     * another node announces nothing.
     */
    void announce(Collection<String> sagaIds) {
        long now = System.nanoTime();
        if (now - listenersCheckedAt > LISTENERS_CHECK_NANOS || listenersCheckedAt == 0) {
            listenedElsewhere = Boolean.TRUE.equals(db.jdbc.queryForObject("""
                    SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                                   WHERE datname = current_database() AND pid <> :own AND pid <> pg_backend_pid()
                                     AND (query = :listen OR query = '<insufficient privilege>'))""",
                    new MapSqlParameterSource("own", ownListener).addValue("listen", "LISTEN " + channel),
                    Boolean.class));
            listenersCheckedAt = now;
        }
        if (!listenedElsewhere) {
            return;
        }
        for (String payload : payloads(sagaIds)) {
            db.jdbc.queryForList("SELECT set_config('synchronous_commit', 'off', true), pg_notify(:channel, :payload)",
                    new MapSqlParameterSource("channel", channel).addValue("payload", payload));
        }
    }

    /** The ids in payloads under the limit, one id per line. */
    static List<String> payloads(Collection<String> sagaIds) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder();
        int bytes = 0;
        for (String id : sagaIds) {
            int size = id.getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes + size > MAX_PAYLOAD && payload.length() > 0) {
                payloads.add(payload.toString());
                payload.setLength(0);
                bytes = 0;
            }
            if (payload.length() > 0) {
                payload.append('\n');
            }
            payload.append(id);
            bytes += size;
        }
        if (payload.length() > 0) {
            payloads.add(payload.toString());
        }
        return payloads;
    }

    AutoCloseable listen(RestListener listener, String threadName) {
        Listening listening = new Listening(listener);
        Thread thread = new Thread(listening, threadName);
        thread.setDaemon(true);
        thread.start();
        return () -> {
            // a wait for notifications ends within its poll, without an interrupt that could break the connection
            listening.stop();
            thread.join(TimeUnit.SECONDS.toMillis(5));
        };
    }

    /** The listening thread's loop: listens on a connection of its own, and on a new one when it loses it. */
    private final class Listening implements Runnable {

        private final RestListener listener;

        private final CountDownLatch stopped = new CountDownLatch(1);

        private volatile boolean running = true;

        Listening(RestListener listener) {
            this.listener = listener;
        }

        void stop() {
            running = false;
            stopped.countDown();
        }

        @Override
        public void run() {
            while (running) {
                try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(true);
                    try (Statement statement = connection.createStatement()) {
                        try (var pid = statement.executeQuery("SELECT pg_backend_pid()")) {
                            pid.next();
                            ownListener = pid.getInt(1);
                        }
                        // the session's last statement: how announcers find that someone listens
                        statement.execute("LISTEN " + channel);
                    }
                    // what was announced before (or while the connection was lost) went untold here
                    listener.missed();
                    PGConnection postgres = connection.unwrap(PGConnection.class);
                    while (running) {
                        tell(postgres.getNotifications((int) POLL_MILLIS));
                    }
                }
                catch (SQLException | RuntimeException ex) {
                    if (!running) {
                        return;
                    }
                    listener.missed();
                    log.debug("Listening for the rests of sagas failed; listening again in {} ms: {}",
                            RECONNECT_MILLIS, ex.getMessage());
                    try {
                        stopped.await(RECONNECT_MILLIS, TimeUnit.MILLISECONDS);
                    }
                    catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }

        private void tell(PGNotification @Nullable [] notifications) {
            if (notifications == null) {
                return;
            }
            for (PGNotification notification : notifications) {
                for (String sagaId : notification.getParameter().split("\n")) {
                    if (!sagaId.isEmpty()) {
                        listener.rested(sagaId);
                    }
                }
            }
        }
    }
}
