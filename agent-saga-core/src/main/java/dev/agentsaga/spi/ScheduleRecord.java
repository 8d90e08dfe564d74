package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A schedule's row: the latest tick a node started (or, before the first, when the schedule was first seen).
 *
 * @param name the schedule's name
 * @param lastTick every tick up to this one was started, or skipped as missed
 * @param firedBy the node that last moved {@code lastTick}, or null before the first tick
 * @param firedAt when it did, or null before the first tick
 */
public record ScheduleRecord(String name, Instant lastTick, @Nullable String firedBy, @Nullable Instant firedAt) {

    public ScheduleRecord {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(lastTick, "lastTick must not be null");
    }
}
