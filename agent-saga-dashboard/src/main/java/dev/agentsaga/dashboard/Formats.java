package dev.agentsaga.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/** Times, durations and numbers as the pages show them; the templates reach it as {@code fmt}. */
public final class Formats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Supplier<Instant> clock;

    Formats(Supplier<Instant> clock) {
        this.clock = clock;
    }

    /** A moment as {@code 2026-05-14 09:30:12 UTC}; the page's script shows it in the reader's time zone. */
    public String time(@Nullable Instant instant) {
        return instant == null ? "" : TIME.format(instant) + " UTC";
    }

    /** How long ago, as {@code 12 s ago}. */
    public String ago(@Nullable Instant instant) {
        if (instant == null) {
            return "";
        }
        Duration since = Duration.between(instant, clock.get());
        return since.isNegative() ? "just now" : coarse(since) + " ago";
    }

    /** A step's duration, or an empty text when it has not finished. */
    public String duration(@Nullable Instant start, @Nullable Instant end) {
        return start == null || end == null ? "" : format(Duration.between(start, end));
    }

    /** A duration, as {@code 1.5 s} or {@code 2 h 5 min}. */
    public String duration(Duration duration) {
        return Formats.format(duration);
    }

    /** A number with thousands separators. */
    public String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** A duration in the largest unit that fits, with one lower unit: {@code 1.5 s}, {@code 2 h 5 min}. */
    static String format(Duration duration) {
        long nanos = Math.max(0, duration.toNanos());
        if (nanos < 1_000_000) {
            return nanos < 100_000 ? "<0.1 ms" : String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        if (nanos < 1_000_000_000L) {
            return nanos / 1_000_000 + " ms";
        }
        if (nanos < 60_000_000_000L) {
            double seconds = nanos / 1e9;
            return seconds < 10 ? String.format(Locale.ROOT, "%.1f s", seconds) : Math.round(seconds) + " s";
        }
        return coarse(duration);
    }

    private static String coarse(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3_600) {
            return pair(seconds / 60, "min", seconds % 60, "s");
        }
        if (seconds < 86_400) {
            return pair(seconds / 3_600, "h", seconds % 3_600 / 60, "min");
        }
        return pair(seconds / 86_400, "d", seconds % 86_400 / 3_600, "h");
    }

    private static String pair(long major, String majorUnit, long minor, String minorUnit) {
        return minor == 0 ? major + " " + majorUnit : major + " " + majorUnit + " " + minor + " " + minorUnit;
    }
}
