package dev.agentsaga;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/**
 * Starts a workflow on a cron expression or at a fixed rate, durably: each tick starts one saga across every node
 * that shares the journal, with the id {@code schedule:<name>:<tick>} (the tick as an ISO instant). Registered with
 * {@link AgentSaga.Builder#schedule(String, SagaSchedule)}.
 *
 * <pre>{@code
 * SagaSchedule.cron("0 0 * * * *", "report").withInput(new ReportRequest("hourly"))
 * SagaSchedule.fixedRate(Duration.ofMinutes(5), "sweep").withMissedTicks(MissedTicks.CATCH_UP)
 * }</pre>
 *
 * <p>Ticks of a fixed rate are the multiples of the rate since the epoch (1970-01-01T00:00Z), so every node finds
 * the same ones. A tick due less than {@link #grace()} ago always starts; an older one was missed (every node was
 * down, or none checked in time) and follows {@link #missedTicks()}.
 *
 * @param workflow the name of the workflow each tick starts
 * @param cron a Spring cron expression (six fields, seconds first; macros such as {@code @hourly}), or null for a
 *        fixed rate
 * @param zone the time zone of the cron expression
 * @param fixedRate the rate, at least one second, or null for a cron expression
 * @param input the input of each saga (encoded by the engine's codec), or null
 * @param inputJson the input of each saga as JSON, decoded to the workflow's input type; used instead of
 *        {@code input} when set
 * @param missedTicks what to do about missed ticks
 * @param maxCatchUp the most missed ticks one check starts under {@link MissedTicks#CATCH_UP}: the latest ones
 * @param grace how late a tick may start and still not count as missed
 */
public record SagaSchedule(String workflow, @Nullable String cron, ZoneId zone, @Nullable Duration fixedRate,
        @Nullable Object input, @Nullable String inputJson, MissedTicks missedTicks, int maxCatchUp, Duration grace) {

    /** The default of {@link #maxCatchUp()}. */
    public static final int DEFAULT_MAX_CATCH_UP = 100;

    /** The default of {@link #grace()}. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    /** What the first check after missed ticks does about them. */
    public enum MissedTicks {
        /** Starts the latest missed tick only (and the ticks within the grace); the others are skipped. */
        SKIP,
        /** Starts every missed tick, oldest first, up to {@link SagaSchedule#maxCatchUp()} of the latest. */
        CATCH_UP
    }

    public SagaSchedule {
        Objects.requireNonNull(workflow, "workflow must not be null");
        Objects.requireNonNull(zone, "zone must not be null");
        Objects.requireNonNull(missedTicks, "missedTicks must not be null");
        Objects.requireNonNull(grace, "grace must not be null");
        if (workflow.isBlank()) {
            throw new IllegalArgumentException("A schedule's workflow must not be blank");
        }
        if ((cron == null) == (fixedRate == null)) {
            throw new IllegalArgumentException("A schedule has either a cron expression or a fixed rate, not "
                    + (cron == null ? "neither" : "both"));
        }
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            throw new IllegalArgumentException("'" + cron + "' is not a cron expression: six fields (second, minute, "
                    + "hour, day of month, month, day of week), e.g. '0 */5 * * * *', or a macro such as '@hourly'");
        }
        if (fixedRate != null && (fixedRate.compareTo(Duration.ofSeconds(1)) < 0
                || fixedRate.toMillis() * 1_000_000 != fixedRate.toNanos())) {
            throw new IllegalArgumentException("A schedule's fixed rate must be at least one second, in whole "
                    + "milliseconds, was " + fixedRate);
        }
        if (maxCatchUp < 1) {
            throw new IllegalArgumentException("maxCatchUp must be at least 1, was " + maxCatchUp);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
    }

    /** Ticks on a Spring cron expression in UTC (six fields, seconds first: {@code "0 0 9 * * MON-FRI"}). */
    public static SagaSchedule cron(String expression, String workflow) {
        return new SagaSchedule(workflow, Objects.requireNonNull(expression, "expression must not be null"),
                ZoneOffset.UTC, null, null, null, MissedTicks.SKIP, DEFAULT_MAX_CATCH_UP, DEFAULT_GRACE);
    }

    /** Ticks at every multiple of {@code rate} since the epoch; at least one second. */
    public static SagaSchedule fixedRate(Duration rate, String workflow) {
        return new SagaSchedule(workflow, null, ZoneOffset.UTC, Objects.requireNonNull(rate, "rate must not be null"),
                null, null, MissedTicks.SKIP, DEFAULT_MAX_CATCH_UP, DEFAULT_GRACE);
    }

    /** The same schedule, with the cron expression read in {@code zone}. */
    public SagaSchedule withZone(ZoneId zone) {
        return new SagaSchedule(workflow, cron, zone, fixedRate, input, inputJson, missedTicks, maxCatchUp, grace);
    }

    /** The same schedule, starting each saga with {@code input}. */
    public SagaSchedule withInput(@Nullable Object input) {
        return new SagaSchedule(workflow, cron, zone, fixedRate, input, null, missedTicks, maxCatchUp, grace);
    }

    /** The same schedule, starting each saga with this JSON decoded to the workflow's input type. */
    public SagaSchedule withInputJson(String json) {
        return new SagaSchedule(workflow, cron, zone, fixedRate, null,
                Objects.requireNonNull(json, "json must not be null"), missedTicks, maxCatchUp, grace);
    }

    /** The same schedule, with another policy for missed ticks (default {@link MissedTicks#SKIP}). */
    public SagaSchedule withMissedTicks(MissedTicks missedTicks) {
        return new SagaSchedule(workflow, cron, zone, fixedRate, input, inputJson, missedTicks, maxCatchUp, grace);
    }

    /** The same schedule, starting at most {@code maxCatchUp} missed ticks at once (default 100). */
    public SagaSchedule withMaxCatchUp(int maxCatchUp) {
        return new SagaSchedule(workflow, cron, zone, fixedRate, input, inputJson, missedTicks, maxCatchUp, grace);
    }

    /** The same schedule, with another grace for late ticks (default 10 s). */
    public SagaSchedule withGrace(Duration grace) {
        return new SagaSchedule(workflow, cron, zone, fixedRate, input, inputJson, missedTicks, maxCatchUp, grace);
    }

    /** The first tick strictly after {@code after}, or null when the cron expression has none. */
    public @Nullable Instant nextTick(Instant after) {
        if (fixedRate != null) {
            long rate = fixedRate.toMillis();
            long millis = after.toEpochMilli();
            return Instant.ofEpochMilli(Math.floorDiv(millis, rate) * rate + rate);
        }
        ZonedDateTime next = CronExpression.parse(Objects.requireNonNull(cron)).next(after.atZone(zone));
        return next == null ? null : next.toInstant();
    }

    /**
     * The latest {@code limit} ticks after {@code after} and at most {@code until}, oldest first. Reads only the
     * ticks near {@code until}, in windows that double, so a schedule that was down for a long time costs about as
     * much as the ticks it returns.
     */
    public List<Instant> ticksBetween(Instant after, Instant until, int limit) {
        Duration window = Duration.ofMinutes(1);
        while (true) {
            Instant from = until.minus(window);
            boolean whole = !from.isAfter(after);
            Deque<Instant> latest = new ArrayDeque<>();
            Instant tick = nextTick(whole ? after : from);
            while (tick != null && !tick.isAfter(until)) {
                latest.addLast(tick);
                if (latest.size() > limit) {
                    latest.removeFirst();
                }
                tick = nextTick(tick);
            }
            if (whole || latest.size() >= limit) {
                return new ArrayList<>(latest);
            }
            window = window.multipliedBy(2);
        }
    }

    /** How the schedule ticks, for views: {@code cron <expression> <zone>} or {@code every <rate>}. */
    public String trigger() {
        return cron != null ? "cron " + cron + " " + zone : "every " + fixedRate;
    }

    /** The id of the saga that the schedule {@code name} starts for {@code tick}: {@code schedule:<name>:<tick>}. */
    public static String sagaId(String name, Instant tick) {
        return "schedule:" + name + ":" + tick.truncatedTo(ChronoUnit.MILLIS);
    }
}
