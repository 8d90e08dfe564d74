package dev.agentsaga.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/** A row of the {@code signal} table: a signal delivered to a saga and not yet consumed. */
public record SignalRecord(String id, String sagaId, String name, @Nullable String payload, Instant createdAt) {
}
