package dev.agentsaga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class SagaScheduleTest {

    @Test
    void fixedRateTicksAtTheMultiplesOfTheRateSinceTheEpoch() {
        SagaSchedule schedule = SagaSchedule.fixedRate(Duration.ofMinutes(5), "sweep");

        assertThat(schedule.nextTick(Instant.parse("2026-12-02T07:03:10Z"))).isEqualTo("2026-12-02T07:05:00Z");
        assertThat(schedule.nextTick(Instant.parse("2026-12-02T07:05:00Z"))).isEqualTo("2026-12-02T07:10:00Z");
    }

    @Test
    void ticksBetweenReturnsTheLatestOnesOldestFirst() {
        SagaSchedule schedule = SagaSchedule.cron("0 0 * * * *", "report");

        assertThat(schedule.ticksBetween(Instant.parse("2026-12-02T01:00:00Z"), Instant.parse("2026-12-02T04:30:00Z"), 2))
                .containsExactly(Instant.parse("2026-12-02T03:00:00Z"), Instant.parse("2026-12-02T04:00:00Z"));
        assertThat(schedule.ticksBetween(Instant.parse("2026-12-02T01:00:00Z"), Instant.parse("2026-12-02T04:30:00Z"), 10))
                .hasSize(3);
        assertThat(schedule.ticksBetween(Instant.parse("2026-12-02T04:00:00Z"), Instant.parse("2026-12-02T04:30:00Z"), 10))
                .isEmpty();
    }

    @Test
    void aWeekOfTicksEverySecondIsNotIteratedToFindTheLatest() {
        SagaSchedule schedule = SagaSchedule.cron("* * * * * *", "poll");
        Instant now = Instant.parse("2026-12-02T07:00:00Z");
        long begin = System.nanoTime();

        var latest = schedule.ticksBetween(now.minus(Duration.ofDays(7)), now, 1);

        assertThat(latest).containsExactly(now);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aTickSagaIdNamesTheScheduleAndTheTick() {
        assertThat(SagaSchedule.sagaId("sweep", Instant.parse("2026-12-02T07:05:00Z")))
                .isEqualTo("schedule:sweep:2026-12-02T07:05:00Z");
    }

    @Test
    void refusesWhatCannotTick() {
        assertThatThrownBy(() -> SagaSchedule.cron("every minute", "report")).hasMessageContaining("six fields");
        assertThatThrownBy(() -> SagaSchedule.fixedRate(Duration.ofMillis(500), "report"))
                .hasMessageContaining("at least one second");
        assertThatThrownBy(() -> SagaSchedule.fixedRate(Duration.ofMinutes(1), "report").withMaxCatchUp(0))
                .hasMessageContaining("maxCatchUp");
        assertThatThrownBy(() -> AgentSaga.replayer().schedule("x".repeat(151), SagaSchedule.cron("@hourly", "report")))
                .hasMessageContaining("150 characters");
    }
}
