package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;

class TimelineChartTest {

    @Test
    void drawsTheCompensationsAfterTheFailureInReverseOrder() {
        SagaView saga = Journals.saga("s1")
                .compensated("bookFlight", 0, 100, 450)
                .compensated("bookHotel", 100, 200, 350)
                .failed("chargeCard", 200, 300, "declined")
                .as(SagaStatus.COMPENSATED, 450, "Step 3 (chargeCard) failed", 3);

        TimelineChart chart = TimelineChart.of(saga, Journals.at(500));

        double failure = chart.failure().x();
        TimelineChart.Bar hotel = compensation(chart, 2);
        TimelineChart.Bar flight = compensation(chart, 1);
        assertThat(hotel.x()).isCloseTo(failure, org.assertj.core.data.Offset.offset(0.2));
        assertThat(flight.x()).isCloseTo(hotel.x() + hotel.width(), org.assertj.core.data.Offset.offset(0.2));
        assertThat(step(chart, 3).css()).contains("failed");
        assertThat(step(chart, 3).x() + step(chart, 3).width()).isCloseTo(failure, org.assertj.core.data.Offset.offset(0.2));
        assertThat(chart.failure().label()).isEqualTo("failure");
    }

    @Test
    void cutsALongIdleWaitOutSoThatStepsOfMillisecondsStayVisible() {
        long twoHours = 2 * 3_600_000L;
        SagaView saga = Journals.saga("s2")
                .step("bookFlight", StepKind.ACTION, Reversibility.COMPENSABLE, StepStatus.SUCCEEDED, 0, 40L, "{}", "{}")
                .step("approval:sendConfirmation", StepKind.SIGNAL, null, StepStatus.SUCCEEDED, 40, twoHours,
                        null, "{\"approved\":true}")
                .step("sendConfirmation", StepKind.ACTION, Reversibility.IRREVERSIBLE, StepStatus.SUCCEEDED, twoHours,
                        twoHours + 60, "{}", "{}")
                .as(SagaStatus.COMPLETED, twoHours + 60, null, null);

        TimelineChart chart = TimelineChart.of(saga, Journals.at(twoHours + 1000));

        assertThat(chart.cuts()).singleElement().satisfies(cut -> assertThat(cut.label()).isEqualTo("1 h 59 min"));
        assertThat(step(chart, 1).width()).isGreaterThan(200);
        assertThat(step(chart, 3).width()).isGreaterThan(200);
        assertThat(step(chart, 2).css()).contains("kind-signal");
        assertThat(step(chart, 3).css()).contains("rev-irreversible");
        assertThat(chart.failure()).isNull();
    }

    @Test
    void marksAnInDoubtStepAndDrawsItToNow() {
        SagaView saga = Journals.saga("s3")
                .step("transferMoney", StepKind.ACTION, Reversibility.IRREVERSIBLE, StepStatus.STARTED, 0, null, "{}", null)
                .as(SagaStatus.NEEDS_ATTENTION, 300, "step 1 (transferMoney) is IRREVERSIBLE and its outcome is unknown", 1);

        TimelineChart chart = TimelineChart.of(saga, Journals.at(900));

        TimelineChart.Bar bar = step(chart, 1);
        assertThat(bar.css()).contains("in-doubt");
        assertThat(bar.x() + bar.width()).isCloseTo(TimelineChart.WIDTH - 16, org.assertj.core.data.Offset.offset(0.5));
    }

    @Test
    void drawsAModelCallWaitingForItsRateLimitAsAWaitWithItsNote() {
        String note = "throttled: gpt-4.1 is at its limit of 500 requests per minute; waiting until 2026-05-04T10:16:00Z";
        SagaView saga = Journals.saga("s5")
                .model(0, 900, "{\"text\":\"ok\"}", 10, 5)
                .throttledModel(900, note)
                .as(SagaStatus.WAITING, 950, null, null);

        TimelineChart chart = TimelineChart.of(saga, Journals.at(5_000));

        assertThat(step(chart, 2).css()).contains("kind-llm", "waiting");
        assertThat(step(chart, 2).title()).contains("STARTED", note);
    }

    @Test
    void labelsTheAxisFromTheSagasCreation() {
        SagaView saga = Journals.saga("s4")
                .step("searchFlights", StepKind.ACTION, Reversibility.READ_ONLY, StepStatus.SUCCEEDED, 0, 800L, "{}", "[]")
                .as(SagaStatus.COMPLETED, 800, null, null);

        List<TimeAxis.Tick> ticks = TimelineChart.of(saga, Journals.at(800)).ticks();

        assertThat(ticks).extracting(TimeAxis.Tick::label).startsWith("0", "200 ms", "400 ms");
        assertThat(ticks.get(0).x()).isEqualTo(TimelineChart.LABEL_WIDTH);
    }

    private static TimelineChart.Bar compensation(TimelineChart chart, int seq) {
        return bar(chart, seq, "compensation");
    }

    private static TimelineChart.Bar step(TimelineChart chart, int seq) {
        return bar(chart, seq, "step");
    }

    private static TimelineChart.Bar bar(TimelineChart chart, int seq, String role) {
        return chart.rows().stream().flatMap(row -> row.bars().stream())
                .filter(bar -> bar.seq() == seq && bar.role().equals(role)).findFirst().orElseThrow();
    }
}
