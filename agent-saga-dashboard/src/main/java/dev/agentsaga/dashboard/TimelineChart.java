package dev.agentsaga.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;

/**
 * The geometry of a saga's timeline picture: one row per step with a bar from its start to its end,
 * compensations in the row of the step they undo, after the failure, and an axis from the saga's
 * creation on which long idle stretches are cut out (see {@link TimeAxis}).
 *
 * <p>The journal records when a compensation ended, not when it began. Compensations run one after the
 * other in reverse order, so each bar starts where the previous one ended; the first one starts at the
 * failure.
 *
 * @param failure the vertical line at the failure or cancellation, when the saga failed or was cancelled
 */
public record TimelineChart(int width, int height, List<Row> rows, List<TimeAxis.Tick> ticks,
        List<TimeAxis.Cut> cuts, @Nullable Marker failure) {

    static final int WIDTH = 960;

    static final int LABEL_WIDTH = 210;

    static final int TOP = 26;

    static final int ROW_HEIGHT = 22;

    static final int BAR_HEIGHT = 14;

    static final double MIN_BAR = 2;

    /**
     * One step's row: its label and its bars (the step, and its compensation when it was undone).
     *
     * @param child for a step that started a child saga, the child's id
     */
    public record Row(int seq, String label, String kind, int y, List<Bar> bars, @Nullable String child) {

        /** Where the row's text sits. */
        public int textY() {
            return y + ROW_HEIGHT / 2 + 4;
        }

        /** Where the row's bars start vertically. */
        public int barY() {
            return y + (ROW_HEIGHT - BAR_HEIGHT) / 2;
        }
    }

    /**
     * A bar.
     *
     * @param role {@code step} or {@code compensation}
     * @param css the classes that colour it
     * @param title the text shown on hover
     */
    public record Bar(int seq, String role, double x, double width, String css, String title) {
    }

    /** A vertical line with a label. */
    public record Marker(double x, String label) {
    }

    /** Where the plot of the bars starts. */
    public int plotLeft() {
        return LABEL_WIDTH;
    }

    /** The bottom of the last row. */
    public int plotBottom() {
        return height - 4;
    }

    /** The timeline of the saga as it stands at {@code now}. */
    public static TimelineChart of(SagaView saga, Instant now) {
        List<StepView> steps = saga.steps().stream().sorted(Comparator.comparingInt(StepView::seq)).toList();
        Instant end = saga.status().isTerminal() || saga.status() == SagaStatus.COMPENSATION_FAILED
                ? saga.updatedAt() : now;
        Instant failureAt = failureTime(saga, steps);
        List<Compensation> compensations = compensations(saga, steps, failureAt, end);
        end = latest(end, steps, compensations);

        TimeAxis.Builder axis = TimeAxis.from(saga.createdAt(), end);
        for (StepView step : steps) {
            if (step.startedAt() != null && !isWait(step)) {
                axis.busy(step.startedAt(), stepEnd(step, end));
            }
        }
        for (int i = 0; i < compensations.size(); i++) {
            Compensation compensation = compensations.get(i);
            // the first compensation's start is not known: only its end is a moment of work
            axis.busy(i == 0 ? compensation.end() : compensation.start(), compensation.end());
        }
        TimeAxis scale = axis.build(LABEL_WIDTH, WIDTH - 16);

        List<Row> rows = new ArrayList<>();
        for (StepView step : steps) {
            List<Bar> bars = new ArrayList<>();
            if (step.startedAt() != null) {
                bars.add(bar(scale, step.seq(), "step", step.startedAt(), stepEnd(step, end),
                        stepCss(saga, step), stepTitle(step)));
            }
            compensations.stream().filter(compensation -> compensation.step().seq() == step.seq())
                    .forEach(compensation -> bars.add(bar(scale, step.seq(), "compensation", compensation.start(),
                            compensation.end(), compensation.css(), compensation.title())));
            SagaView.Child child = SagaDetail.childAt(saga, step.seq());
            rows.add(new Row(step.seq(), label(step), step.kind().name().toLowerCase(Locale.ROOT),
                    TOP + (rows.size() * ROW_HEIGHT), bars, child == null ? null : child.id()));
        }
        Marker failure = failureAt == null ? null
                : new Marker(scale.x(failureAt), saga.cancelRequested() ? "cancelled" : "failure");
        int height = TOP + Math.max(1, rows.size()) * ROW_HEIGHT + 6;
        return new TimelineChart(WIDTH, height, rows, scale.ticks(), scale.cuts(), failure);
    }

    private record Compensation(StepView step, Instant start, Instant end, String css, String title) {
    }

    /** The compensations in the order they ran (reverse step order), each from the end of the one before. */
    private static List<Compensation> compensations(SagaView saga, List<StepView> steps, @Nullable Instant failureAt,
            Instant end) {
        List<Compensation> compensations = new ArrayList<>();
        if (failureAt == null) {
            return compensations;
        }
        Instant previous = failureAt;
        for (int i = steps.size() - 1; i >= 0; i--) {
            StepView step = steps.get(i);
            boolean failed = step.status() == StepStatus.COMPENSATION_FAILED;
            boolean running = step.status() == StepStatus.COMPENSATING;
            if (step.compensatedAt() == null && !failed && !running) {
                continue;
            }
            Instant stop = step.compensatedAt() != null ? step.compensatedAt() : end;
            Instant start = stop.isBefore(previous) ? stop : previous;
            String css = "bar compensation" + (failed ? " failed" : running ? " running" : "");
            String title = "undo #" + step.seq() + " " + step.name() + " · "
                    + (failed ? "compensation failed after " + step.compensationAttempts() + " attempts"
                            + (step.compensationError() == null ? "" : ": " + step.compensationError())
                            : running ? "compensating" : "compensated")
                    + " · ended " + (step.compensatedAt() == null ? "-" : step.compensatedAt().toString());
            compensations.add(new Compensation(step, start, stop, css, title));
            previous = stop;
        }
        return compensations;
    }

    /** When the saga failed or was cancelled: the end of its last forward step; null when it did not. */
    private static @Nullable Instant failureTime(SagaView saga, List<StepView> steps) {
        boolean undone = steps.stream().anyMatch(step -> step.compensatedAt() != null
                || step.status() == StepStatus.COMPENSATING || step.status() == StepStatus.COMPENSATION_FAILED);
        boolean failed = switch (saga.status()) {
            case FAILED, COMPENSATING, COMPENSATED, COMPENSATION_FAILED -> true;
            default -> false;
        };
        if (!undone && !failed) {
            return null;
        }
        Instant last = null;
        for (StepView step : steps) {
            Instant at = step.finishedAt() != null ? step.finishedAt() : step.startedAt();
            if (at != null && (last == null || at.isAfter(last))) {
                last = at;
            }
        }
        return last != null ? last : saga.createdAt();
    }

    private static Instant latest(Instant end, List<StepView> steps, List<Compensation> compensations) {
        Instant latest = end;
        for (StepView step : steps) {
            if (step.finishedAt() != null && step.finishedAt().isAfter(latest)) {
                latest = step.finishedAt();
            }
        }
        for (Compensation compensation : compensations) {
            if (compensation.end().isAfter(latest)) {
                latest = compensation.end();
            }
        }
        return latest;
    }

    private static Bar bar(TimeAxis scale, int seq, String role, Instant start, Instant end, String css,
            String title) {
        double x = scale.x(start);
        double width = Math.max(MIN_BAR, scale.x(end) - x);
        return new Bar(seq, role, round(x), round(width), css, title);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static Instant stepEnd(StepView step, Instant end) {
        return step.finishedAt() != null ? step.finishedAt() : end;
    }

    /**
     * A sleep, a signal, a child saga, or a model call waiting for its rate limit (the one way a model call is
     * STARTED): the saga holds no thread meanwhile, so long stretches may be cut.
     */
    static boolean isWait(StepView step) {
        return step.kind() == StepKind.SIGNAL || step.kind() == StepKind.SLEEP || step.kind() == StepKind.CHILD
                || step.kind() == StepKind.LLM && step.status() == StepStatus.STARTED;
    }

    static boolean isInDoubt(SagaView saga, StepView step) {
        return saga.status() == SagaStatus.NEEDS_ATTENTION && step.kind() == StepKind.ACTION
                && step.status() == StepStatus.STARTED;
    }

    private static String stepCss(SagaView saga, StepView step) {
        StringBuilder css = new StringBuilder("bar step kind-").append(step.kind().name().toLowerCase(Locale.ROOT));
        if (step.reversibility() != null) {
            css.append(" rev-").append(step.reversibility().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        if (isInDoubt(saga, step)) {
            css.append(" in-doubt");
        }
        else if (step.status() == StepStatus.FAILED) {
            css.append(" failed");
        }
        else if (step.status() == StepStatus.STARTED) {
            css.append(isWait(step) ? " waiting" : " running");
        }
        return css.toString();
    }

    private static String stepTitle(StepView step) {
        StringBuilder title = new StringBuilder("#").append(step.seq()).append(' ').append(step.name()).append(" · ")
                .append(step.kind());
        if (step.reversibility() != null) {
            title.append(' ').append(step.reversibility());
        }
        title.append(" · ").append(step.status());
        Duration duration = step.duration();
        if (duration != null) {
            title.append(" · ").append(Formats.format(duration));
        }
        if (step.attempts() > 1) {
            title.append(" · ").append(step.attempts()).append(" attempts");
        }
        if (step.inputTokens() != null || step.outputTokens() != null) {
            title.append(" · ").append(tokens(step.inputTokens())).append(" in / ").append(tokens(step.outputTokens()))
                    .append(" out tokens");
        }
        if (step.kind() == StepKind.LLM && step.compensationNote() != null) {
            // why the call waited: its rate limit's note
            title.append(" · ").append(step.compensationNote());
        }
        return title.toString();
    }

    private static int tokens(@Nullable Integer tokens) {
        return tokens == null ? 0 : tokens;
    }

    private static String label(StepView step) {
        String name = step.name().length() > 24 ? step.name().substring(0, 23) + "…" : step.name();
        return "#" + step.seq() + " " + name;
    }
}
