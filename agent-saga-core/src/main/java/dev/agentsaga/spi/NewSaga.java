package dev.agentsaga.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A saga to insert: RUNNING and leased to {@code owner} until {@code leaseExpiresAt}.
 *
 * @param input the input as JSON text
 */
public record NewSaga(String id, String workflow, String workflowVersion, String input, @Nullable String owner,
        Instant createdAt, Instant leaseExpiresAt) {
}
