package dev.agentsaga;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/** One line of a saga list. */
public record SagaSummary(String id, String workflow, String workflowVersion, SagaStatus status,
        @Nullable String error, Instant createdAt, Instant updatedAt) {
}
