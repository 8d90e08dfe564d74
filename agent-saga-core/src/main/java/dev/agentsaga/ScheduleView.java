package dev.agentsaga;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A schedule as an engine sees it: its definition, and its row in the journal's {@code schedule} table.
 *
 * @param name the schedule's name
 * @param workflow the workflow each tick starts
 * @param trigger {@code cron <expression> <zone>} or {@code every <rate>}
 * @param missedTicks the policy for missed ticks
 * @param lastTick the latest tick started (or, before the first, when the schedule was first seen); null when no
 *        engine has checked the schedule yet
 * @param firedBy the node that started the latest tick, or null
 * @param firedAt when it did, or null
 * @param nextTick the next tick after {@code lastTick} (after now when there is none), or null when the cron
 *        expression has no more
 */
public record ScheduleView(String name, String workflow, String trigger, SagaSchedule.MissedTicks missedTicks,
        @Nullable Instant lastTick, @Nullable String firedBy, @Nullable Instant firedAt, @Nullable Instant nextTick) {

    public ScheduleView {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(workflow, "workflow must not be null");
        Objects.requireNonNull(trigger, "trigger must not be null");
        Objects.requireNonNull(missedTicks, "missedTicks must not be null");
    }
}
