package dev.agentsaga.dashboard;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;

/**
 * One page of the saga list, newest first, with the filter it was asked for and the counts per status.
 *
 * @param notFound the id that was searched for and matched no saga, if any
 */
public record SagaListPage(List<SagaSummary> sagas, Set<SagaStatus> statuses, @Nullable String workflow, int page,
        int size, StatusCounts.Count total, boolean hasNext, StatusCounts counts, @Nullable String notFound) {

    public SagaListPage {
        sagas = List.copyOf(sagas);
        statuses = Set.copyOf(statuses);
    }

    /** The position of the first saga of the page, from 1. */
    public long from() {
        return sagas.isEmpty() ? 0 : (long) page * size + 1;
    }

    /** The position of the last saga of the page. */
    public long to() {
        return (long) page * size + sagas.size();
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    /** Whether the list is filtered on exactly this status. */
    public boolean only(SagaStatus status) {
        return statuses.size() == 1 && statuses.contains(status);
    }

    /** The status filter as the {@code status} parameter reads it, or null for none. */
    public @Nullable String statusParameter() {
        return statuses.isEmpty() ? null
                : String.join(",", statuses.stream().sorted().map(Enum::name).toList());
    }
}
