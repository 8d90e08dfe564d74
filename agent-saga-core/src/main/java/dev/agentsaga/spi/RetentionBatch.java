package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * One batch of retention (see {@link SagaStore#deleteFinished}): up to {@code limit} finished sagas created
 * before {@code createdBefore}, of {@code workflow}, or, when it is null, of any workflow but {@code excluded}
 * (those have a retention of their own).
 *
 * @param nodeId the engine that deletes, recorded beside the retention lock
 */
public record RetentionBatch(String nodeId, @Nullable String workflow, Set<String> excluded, Instant createdBefore,
        int limit, Instant now) {

    public RetentionBatch {
        Objects.requireNonNull(nodeId, "nodeId must not be null");
        excluded = Set.copyOf(excluded);
    }

    /** What one batch deleted: the sagas, and every row they had (the sagas', their steps' and signals'). */
    public record Deleted(int sagas, long rows) {
    }
}
