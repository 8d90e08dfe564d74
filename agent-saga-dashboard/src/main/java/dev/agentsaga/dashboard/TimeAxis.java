package dev.agentsaga.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A time axis from a saga's creation to its end, mapped to x. Idle stretches (no step or compensation at
 * work; waits do not count as work) longer than a fifth of what remains visible, and longer than a
 * second, are cut out and drawn with a fixed width and their length, so that steps of milliseconds stay
 * visible beside waits of hours.
 */
final class TimeAxis {

    static final double CUT_WIDTH = 46;

    private static final double CUT_SHARE = 0.2;

    private static final long CUT_MIN = Duration.ofSeconds(1).toNanos();

    private static final int MAX_CUTS = 8;

    private static final long[] STEPS = nanos(0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000,
            10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
            10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000);

    /** A labelled tick of the axis. */
    public record Tick(double x, String label) {
    }

    /** An idle stretch cut out of the axis. */
    public record Cut(double x, double width, String label) {

        public double middle() {
            return x + width / 2;
        }
    }

    private record Span(long start, long end) {

        long length() {
            return end - start;
        }
    }

    private final Instant origin;

    private final long total;

    private final double left;

    private final double scale;

    private final List<Span> cuts;

    private TimeAxis(Instant origin, long total, double left, double right, List<Span> cuts) {
        this.origin = origin;
        this.total = total;
        this.left = left;
        this.cuts = cuts;
        long visible = total - cuts.stream().mapToLong(Span::length).sum();
        double width = right - left - cuts.size() * CUT_WIDTH;
        this.scale = visible <= 0 ? 0 : width / visible;
    }

    static Builder from(Instant start, Instant end) {
        return new Builder(start, end);
    }

    /** Collects the moments of work, then cuts the long idle stretches between them. */
    static final class Builder {

        private final Instant origin;

        private final long total;

        private final List<Span> busy = new ArrayList<>();

        private Builder(Instant origin, Instant end) {
            this.origin = origin;
            this.total = Math.max(0, Duration.between(origin, end).toNanos());
        }

        Builder busy(Instant start, Instant end) {
            long from = clamp(Duration.between(origin, start).toNanos(), total);
            long to = clamp(Duration.between(origin, end).toNanos(), total);
            busy.add(new Span(from, Math.max(from, to)));
            return this;
        }

        TimeAxis build(double left, double right) {
            List<Span> idle = idle();
            List<Span> cuts = new ArrayList<>();
            long visible = total;
            while (cuts.size() < MAX_CUTS) {
                Span longest = idle.stream().filter(span -> !cuts.contains(span))
                        .max(Comparator.comparingLong(Span::length)).orElse(null);
                if (longest == null || longest.length() < CUT_MIN || longest.length() <= CUT_SHARE * visible) {
                    break;
                }
                cuts.add(longest);
                visible -= longest.length();
            }
            cuts.sort(Comparator.comparingLong(Span::start));
            return new TimeAxis(origin, total, left, right, cuts);
        }

        private List<Span> idle() {
            busy.sort(Comparator.comparingLong(Span::start));
            List<Span> idle = new ArrayList<>();
            long reached = 0;
            for (Span span : busy) {
                if (span.start() > reached) {
                    idle.add(new Span(reached, span.start()));
                }
                reached = Math.max(reached, span.end());
            }
            if (total > reached) {
                idle.add(new Span(reached, total));
            }
            return idle;
        }
    }

    /** The x of a moment; moments outside the axis are drawn at its ends. */
    double x(Instant instant) {
        return x(clamp(Duration.between(origin, instant).toNanos(), total));
    }

    private double x(long at) {
        long removed = 0;
        int before = 0;
        for (Span cut : cuts) {
            if (at >= cut.end()) {
                removed += cut.length();
                before++;
            }
            else if (at > cut.start()) {
                double start = left + scale * (cut.start() - removed) + CUT_WIDTH * before;
                return start + CUT_WIDTH * (at - cut.start()) / cut.length();
            }
            else {
                break;
            }
        }
        return left + scale * (at - removed) + CUT_WIDTH * before;
    }

    List<Cut> cuts() {
        List<Cut> drawn = new ArrayList<>();
        for (Span cut : cuts) {
            drawn.add(new Cut(x(cut.start()), CUT_WIDTH, Formats.format(Duration.ofNanos(cut.length()))));
        }
        return drawn;
    }

    /** About six ticks over the visible time, at round durations from the saga's creation. */
    List<Tick> ticks() {
        long visible = total - cuts.stream().mapToLong(Span::length).sum();
        long step = STEPS[STEPS.length - 1];
        for (long candidate : STEPS) {
            if (candidate * 6 >= visible) {
                step = candidate;
                break;
            }
        }
        List<Tick> ticks = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (Span segment : visibleSegments()) {
            for (long k = (segment.start() + step - 1) / step; k * step <= segment.end(); k++) {
                double x = x(k * step);
                if (x - last >= 56 && farFromCuts(x)) {
                    ticks.add(new Tick(Math.round(x * 10) / 10.0, k == 0 ? "0" : Formats.format(Duration.ofNanos(k * step))));
                    last = x;
                }
            }
        }
        return ticks;
    }

    private boolean farFromCuts(double x) {
        for (Span cut : cuts) {
            double start = x(cut.start());
            if (x > start - 24 && x < start + CUT_WIDTH + 24) {
                return false;
            }
        }
        return true;
    }

    private List<Span> visibleSegments() {
        List<Span> segments = new ArrayList<>();
        long from = 0;
        for (Span cut : cuts) {
            segments.add(new Span(from, cut.start()));
            from = cut.end();
        }
        segments.add(new Span(from, total));
        return segments;
    }

    private static long clamp(long value, long max) {
        return Math.max(0, Math.min(value, max));
    }

    private static long[] nanos(double... millis) {
        long[] nanos = new long[millis.length];
        for (int i = 0; i < millis.length; i++) {
            nanos[i] = Math.round(millis[i] * 1_000_000);
        }
        return nanos;
    }
}
