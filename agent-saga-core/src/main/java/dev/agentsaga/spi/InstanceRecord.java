package dev.agentsaga.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStatus;

/**
 * A row of the {@code instance} table.
 *
 * @param replayedTokens model tokens not spent again because model calls were answered from the journal
 */
public record InstanceRecord(String id, String workflow, String workflowVersion, SagaStatus status,
        @Nullable String input, @Nullable String output, @Nullable String error, @Nullable Integer errorStep,
        boolean cancelRequested, @Nullable String owner, long leaseEpoch, @Nullable Instant leaseExpiresAt,
        @Nullable Instant wakeAt, Instant createdAt, Instant updatedAt, long replayedTokens) {
}
