package dev.agentsaga.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStatus;

/**
 * A row of the {@code instance} table.
 *
 * @param replayedTokens model tokens answered from the journal when the saga resumed after durable waits
 * @param savedTokens model tokens answered from the journal in runs that recovered the saga (after a crash,
 *        a takeover, a stop or an operator's retry), each recorded call counted once per recovery
 * @param recoveredFrom the engines whose runs ended without bringing the saga to rest, one per line, oldest
 *        first, since its journal last moved; null when none
 * @param recoveryMark how far the journal had come at the last of those recoveries (see
 *        {@code SagaStore.recordRecovery}), or null
 * @param erasedAt when the saga's payloads were erased ({@code SagaStore.erase}), or null
 * @param parentId the saga that started this one as a child, or null
 * @param parentStep the parent's step that started it, or null
 * @param forkedFrom the saga this one is a fork of, or null
 * @param forkStep the first step the fork runs itself, or null
 * @param forkOverrides the fork's {@link dev.agentsaga.ForkOverrides} as JSON text, or null
 * @param queue the queue the saga waits on, or null for its workflow's
 * @param partitionKey its partition within the queue, or null
 * @param priority its priority within the queue
 */
public record InstanceRecord(String id, String workflow, String workflowVersion, SagaStatus status,
        @Nullable String input, @Nullable String output, @Nullable String error, @Nullable Integer errorStep,
        boolean cancelRequested, @Nullable String owner, long leaseEpoch, @Nullable Instant leaseExpiresAt,
        @Nullable Instant wakeAt, Instant createdAt, Instant updatedAt, long replayedTokens, long savedTokens,
        @Nullable String recoveredFrom, @Nullable Long recoveryMark, @Nullable Instant erasedAt,
        @Nullable String parentId, @Nullable Integer parentStep, @Nullable String forkedFrom, @Nullable Integer forkStep,
        @Nullable String forkOverrides, @Nullable String queue, @Nullable String partitionKey, int priority) {
}
