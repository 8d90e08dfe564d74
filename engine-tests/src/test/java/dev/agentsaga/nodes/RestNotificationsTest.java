package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.store.jdbc.JdbcSagaStore;
import dev.agentsaga.testing.ActionScript;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ReadOnlyAction;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.StatementLog;

/**
 * A caller waiting on one engine for a saga that runs on another is told when the saga rests (PostgreSQL's
 * {@code LISTEN}/{@code NOTIFY}), rather than reading the saga's row every 50 ms; with the notifications off it
 * reads as before.
 */
class RestNotificationsTest extends EngineTestSupport {

    /** A read that takes its time, so that the caller waits. */
    private ReadOnlyAction slow() {
        return new ReadOnlyAction("slow", ledger).sleepingOnFirstCalls(1, Duration.ofMillis(1500));
    }

    private static ScriptedWorkflow job(ReadOnlyAction slow) {
        return new ScriptedWorkflow((input, saga) -> saga.step(slow, input));
    }

    /** When each saga rested on the engine that ran it. */
    static final class RestTimes implements SagaObserver {

        final ConcurrentHashMap<String, Long> nanos = new ConcurrentHashMap<>();

        @Override
        public void sagaRested(String sagaId, String workflow, SagaStatus status) {
            nanos.put(sagaId, System.nanoTime());
        }
    }

    @Test
    void aCallerOnAnotherEngineIsToldWhenTheSagaRests() {
        ReadOnlyAction slow = slow();
        RestTimes rests = new RestTimes();
        started(engineBuilder().nodeId("worker").action(slow).workflow("job", job(slow)).observer(rests));
        StatementLog callerStatements = new StatementLog(schema.dataSource());
        // the caller's engine is not started: it starts sagas and waits, the worker runs them
        try (SagaEngine caller = AgentSaga.builder(callerStatements.dataSource()).nodeId("caller").action(slow)
                .workflow("job", job(slow)).build()) {
            List<Long> lags = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                callerStatements.clear();
                SagaHandle handle = caller.start("job", "trip-" + i);
                assertThat(handle.awaitOutput(String.class, WAIT)).isEqualTo(ActionScript.outputOf("slow", "trip-" + i));
                long returned = System.nanoTime();
                lags.add(TimeUnit.NANOSECONDS.toMillis(returned - rests.nanos.get(handle.id())));

                // a read when it starts waiting, one when it starts listening, one when told, and a look every
                // second untold: the same wait read the row every 50 ms before
                assertThat(callerStatements.entries(thread -> thread.equals("main")))
                        .filteredOn(StatementLog.Entry::isRead).hasSizeBetween(1, 6);
            }
            // told, not found by its look every second
            assertThat(lags).allMatch(lag -> lag < 500, "each under 500 ms: " + lags);
        }
    }

    @Test
    void aStoreAnnouncesNothingWhileNoOtherSessionListens() throws Exception {
        SagaStore store = new JdbcSagaStore(schema.dataSource(), "agent_saga_quiet_");
        Set<String> told = ConcurrentHashMap.newKeySet();
        CountDownLatch listening = new CountDownLatch(1);
        try (AutoCloseable listener = store.listenForRests(new SagaStore.RestListener() {

            @Override
            public void rested(String sagaId) {
                told.add(sagaId);
            }

            @Override
            public void missed() {
                listening.countDown();
            }
        })) {
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();
            StatementLog announcements = new StatementLog(schema.dataSource());
            SagaStore announcer = new JdbcSagaStore(announcements.dataSource(), "agent_saga_quiet_");

            // its own listener does not count, and no other session listens on this prefix's channel
            store.announceRests(List.of("alone-1"));
            SagaStore alone = new JdbcSagaStore(announcements.dataSource(), "agent_saga_other_");
            alone.announceRests(List.of("alone-2"));
            pause(Duration.ofMillis(300));
            assertThat(announcements.entries(thread -> true)).noneMatch(entry -> entry.sql().contains("pg_notify"));

            // another node's store sees the listener and announces
            announcer.announceRests(List.of("told-1"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!told.contains("told-1") && System.nanoTime() < deadline) {
                pause(Duration.ofMillis(20));
            }
            assertThat(told).containsExactly("told-1");
        }
    }

    @Test
    void withTheNotificationsOffTheCallerReadsTheSagaUntilItRests() {
        ReadOnlyAction slow = slow();
        started(engineBuilder().nodeId("worker").action(slow).workflow("job", job(slow)));
        StatementLog callerStatements = new StatementLog(schema.dataSource());
        try (SagaEngine caller = AgentSaga.builder(callerStatements.dataSource()).nodeId("caller").action(slow)
                .workflow("job", job(slow)).restNotifications(false).build()) {
            SagaHandle handle = caller.start("job", "trip");
            assertThat(handle.awaitOutput(String.class, WAIT)).isEqualTo(ActionScript.outputOf("slow", "trip"));

            assertThat(callerStatements.entries(thread -> thread.equals("main")))
                    .filteredOn(StatementLog.Entry::isRead).hasSizeGreaterThan(15);
        }
    }

    @Test
    void theStoreTellsEveryAnnouncedRestToItsListenersInPayloadsUnderPostgresLimit() throws Exception {
        // two nodes' stores: one listens, the other announces
        SagaStore store = new JdbcSagaStore(schema.dataSource(), "agent_saga_");
        SagaStore announcer = new JdbcSagaStore(schema.dataSource(), "agent_saga_");
        assertThat(announcer.announcesRests()).isTrue();
        Set<String> told = ConcurrentHashMap.newKeySet();
        CountDownLatch listening = new CountDownLatch(1);
        AtomicLong missed = new AtomicLong();
        // 2,000 ids of 40 characters: 80 KB, more than ten notifications' worth
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ids.add("saga-%036d".formatted(i));
        }
        try (AutoCloseable listener = store.listenForRests(new SagaStore.RestListener() {

            @Override
            public void rested(String sagaId) {
                told.add(sagaId);
            }

            @Override
            public void missed() {
                missed.incrementAndGet();
                listening.countDown();
            }
        })) {
            assertThat(listener).isNotNull();
            // it says that rests may have gone untold once it listens
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();

            announcer.announceRests(ids);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!told.containsAll(ids) && System.nanoTime() < deadline) {
                pause(Duration.ofMillis(20));
            }
            assertThat(told).containsAll(ids);
            assertThat(missed.get()).isEqualTo(1);
        }
    }
}
