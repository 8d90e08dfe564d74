package dev.agentsaga;

import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A filter and page for {@link SagaCoordinator#list}; results come newest first.
 *
 * @param statuses the statuses to keep; empty keeps all
 * @param workflow the workflow name to keep, or null for all
 * @param page the zero-based page number
 * @param size the page size, 1 to 1000
 */
public record SagaQuery(Set<SagaStatus> statuses, @Nullable String workflow, int page, int size) {

    public SagaQuery {
        statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (page < 0) {
            throw new IllegalArgumentException("page must not be negative, was " + page);
        }
        if (size < 1 || size > 1000) {
            throw new IllegalArgumentException("size must be between 1 and 1000, was " + size);
        }
    }

    /** Every saga, first page of 20. */
    public static SagaQuery all() {
        return new SagaQuery(Set.of(), null, 0, 20);
    }

    public SagaQuery withStatuses(SagaStatus... statuses) {
        return new SagaQuery(Set.of(statuses), workflow, page, size);
    }

    public SagaQuery withWorkflow(@Nullable String workflow) {
        return new SagaQuery(statuses, workflow, page, size);
    }

    public SagaQuery withPage(int page, int size) {
        return new SagaQuery(statuses, workflow, page, size);
    }

    /** The row offset of this page. */
    public long offset() {
        return (long) page * size;
    }
}
