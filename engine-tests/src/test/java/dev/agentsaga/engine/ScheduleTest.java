package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaSchedule;
import dev.agentsaga.SagaSchedule.MissedTicks;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.ScheduleView;
import dev.agentsaga.UnknownWorkflowException;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.TestClock;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * Missed ticks: an engine records a schedule, every engine stops, the clock moves half an hour, and the next
 * engine starts only the latest missed tick (SKIP) or the latest ones up to the catch-up limit (CATCH_UP); a tick
 * whose saga a node started before it died without recording it is found, not started again. A tick a minute, so
 * that no tick falls due in real time while the test runs.
 */
class ScheduleTest extends EngineTestSupport {

    private static final Duration RATE = Duration.ofMinutes(1);

    @Test
    void skipStartsOnlyTheLatestMissedTick() throws Exception {
        TestClock clock = justAfterATick();
        SagaSchedule schedule = SagaSchedule.fixedRate(RATE, "skip-report").withMissedTicks(MissedTicks.SKIP);
        Instant recorded = recordedThenStopped("skip", schedule, clock);

        clock.advance(Duration.ofMinutes(30));
        SagaEngine engine = started(engine("skip", schedule, clock));
        List<String> ids = awaitSagas("skip", 1);

        Instant latest = latestTickAtOrBefore(clock.now());
        assertThat(ids).containsExactly(SagaSchedule.sagaId("skip", latest));
        assertThat(awaitLastTick("skip", latest)).isEqualTo(latest);
        awaitStatus(engine, ids.get(0), SagaStatus.COMPLETED);
        List<ScheduleView> views = engine.schedules();
        assertThat(views).singleElement().satisfies(view -> {
            assertThat(view.lastTick()).isEqualTo(latest);
            assertThat(view.firedBy()).isEqualTo(engine.nodeId());
            assertThat(view.nextTick()).isEqualTo(latest.plus(RATE));
        });
        assertThat(recorded).isBefore(latest);
        Thread.sleep(500);
        assertThat(sagas("skip")).as("no tick started twice, no other tick started").hasSize(1);
    }

    @Test
    void catchUpStartsEveryMissedTickUpToTheLimit() throws Exception {
        TestClock clock = justAfterATick();
        SagaSchedule schedule = SagaSchedule.fixedRate(RATE, "catch-up-report").withMissedTicks(MissedTicks.CATCH_UP)
                .withMaxCatchUp(20);
        Instant recorded = recordedThenStopped("catch-up", schedule, clock);

        clock.advance(Duration.ofMinutes(30));
        started(engine("catch-up", schedule, clock));
        List<String> ids = awaitSagas("catch-up", 20);

        Instant latest = latestTickAtOrBefore(clock.now());
        List<String> expected = new ArrayList<>();
        for (int i = 19; i >= 0; i--) {
            expected.add(SagaSchedule.sagaId("catch-up", latest.minus(RATE.multipliedBy(i))));
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Duration.between(recorded, latest)).as("more ticks were missed than the limit")
                .isGreaterThan(RATE.multipliedBy(25));
        assertThat(awaitLastTick("catch-up", latest)).isEqualTo(latest);
        Thread.sleep(500);
        assertThat(sagas("catch-up")).hasSize(20);
    }

    @Test
    void catchUpAfterAShortOutageStartsEachMissedTickOnceOnTwoEngines() throws Exception {
        TestClock clock = justAfterATick();
        SagaSchedule schedule = SagaSchedule.fixedRate(RATE, "short-report").withMissedTicks(MissedTicks.CATCH_UP);
        Instant recorded = recordedThenStopped("short", schedule, clock);

        clock.advance(Duration.ofMinutes(7));
        started(engine("short", schedule, clock));
        started(engine("short", schedule, clock));
        Instant latest = latestTickAtOrBefore(clock.now());
        long missed = Duration.between(latestTickAtOrBefore(recorded), latest).dividedBy(RATE);
        List<String> ids = awaitSagas("short", (int) missed);

        Thread.sleep(500);
        assertThat(sagas("short")).hasSize((int) missed).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(missed).isBetween(7L, 8L);
    }

    @Test
    void aTickStartedByANodeThatDiedBeforeRecordingItIsFoundNotStartedAgain() throws Exception {
        TestClock clock = justAfterATick();
        SagaSchedule schedule = SagaSchedule.fixedRate(RATE, "died-report");
        recordedThenStopped("died", schedule, clock);
        clock.advance(RATE);
        Instant tick = latestTickAtOrBefore(clock.now());
        // what a node that died after starting the tick and before moving the row left behind
        started(engineBuilder().clock(clock).workflow("died-report", new ScriptedWorkflow((input, saga) -> "done")))
                .start("died-report", null, SagaSchedule.sagaId("died", tick));
        List<Boolean> created = new CopyOnWriteArrayList<>();

        started(engine("died", schedule, clock).observer(new SagaObserver() {

            @Override
            public void scheduleFired(String name, String workflow, Instant fired, boolean createdIt) {
                created.add(createdIt);
            }
        }));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!lastTick("died").equals(tick) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(awaitLastTick("died", tick)).isEqualTo(tick);
        assertThat(created).containsExactly(false);
        assertThat(sagas("died")).containsExactly(SagaSchedule.sagaId("died", tick));
    }

    @Test
    void aScheduleOfAnUnknownWorkflowFailsTheBuild() {
        AgentSaga.Builder builder = engineBuilder().schedule("nothing", SagaSchedule.cron("0 * * * * *", "absent"));

        assertThatThrownBy(builder::build).isInstanceOf(UnknownWorkflowException.class).hasMessageContaining("absent");
    }

    @Test
    void aCronScheduleNamesTheNextTickInItsZone() {
        SagaSchedule schedule = SagaSchedule.cron("0 0 9 * * MON-FRI", "report")
                .withZone(java.time.ZoneId.of("Europe/Paris"));

        Instant next = schedule.nextTick(Instant.parse("2026-12-04T10:00:00Z"));

        assertThat(next).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
        assertThat(schedule.ticksBetween(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-04T10:00:00Z"), 3))
                .containsExactly(Instant.parse("2026-12-02T08:00:00Z"), Instant.parse("2026-12-03T08:00:00Z"),
                        Instant.parse("2026-12-04T08:00:00Z"));
    }

    /**
     * A test clock a second past a tick: the clock follows the system's time, and a test that counts the ticks
     * started must not see the next one come due while it runs (a minute away).
     */
    private static TestClock justAfterATick() {
        TestClock clock = new TestClock();
        clock.advanceTo(latestTickAtOrBefore(clock.now()).plus(RATE).plusSeconds(1));
        return clock;
    }

    /** An engine that records the schedule's row, then stops: the time it recorded. */
    private Instant recordedThenStopped(String name, SagaSchedule schedule, TestClock clock) throws Exception {
        SagaEngine first = started(engine(name, schedule, clock));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (schema.jdbc().queryForObject("SELECT COUNT(*) FROM agent_saga_schedule WHERE name = ?", Long.class,
                name) == 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        first.shutdown(Duration.ofSeconds(2));
        return lastTick(name);
    }

    private AgentSaga.Builder engine(String name, SagaSchedule schedule, TestClock clock) {
        return engineBuilder().clock(clock).workflow(schedule.workflow(), new ScriptedWorkflow((input, saga) -> "done"))
                .schedule(name, schedule);
    }

    private static Instant latestTickAtOrBefore(Instant instant) {
        long rate = RATE.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), rate) * rate);
    }

    private Instant lastTick(String name) {
        return schema.jdbc().queryForObject("SELECT last_tick FROM agent_saga_schedule WHERE name = ?", Timestamp.class,
                name).toInstant();
    }

    /**
     * The schedule's last tick once it is {@code expected}, or as it is when the wait ends: a node records a
     * tick after it started the tick's saga.
     */
    private Instant awaitLastTick(String name, Instant expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Instant last = lastTick(name);
        while (!last.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            last = lastTick(name);
        }
        return last;
    }

    private List<String> sagas(String name) {
        return schema.jdbc().queryForList("SELECT id FROM agent_saga_instance WHERE id LIKE ? ORDER BY id", String.class,
                "schedule:" + name + ":%");
    }

    private List<String> awaitSagas(String name, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> ids = sagas(name);
        while (ids.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            ids = sagas(name);
        }
        return ids;
    }
}
