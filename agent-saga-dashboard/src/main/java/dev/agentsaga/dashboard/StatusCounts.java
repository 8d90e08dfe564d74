package dev.agentsaga.dashboard;

import java.util.EnumMap;
import java.util.Map;

import dev.agentsaga.SagaStatus;

/**
 * How many sagas are in each status, each counted like a list's total: exact up to the store's limit
 * (10,000 with the JDBC store), a lower bound beyond it.
 */
public record StatusCounts(Map<SagaStatus, Count> byStatus) {

    public StatusCounts {
        byStatus = Map.copyOf(new EnumMap<>(byStatus));
    }

    /**
     * A count.
     *
     * @param exact false when counting stopped at {@code total} and more match
     */
    public record Count(long total, boolean exact) {

        /** {@code 1,234}, or {@code 10,000+} when counting stopped there. */
        public String label() {
            return String.format(java.util.Locale.ROOT, "%,d", total) + (exact ? "" : "+");
        }

        public boolean isZero() {
            return exact && total == 0;
        }

        Count plus(Count other) {
            return new Count(total + other.total, exact && other.exact);
        }
    }

    public Count count(SagaStatus status) {
        return byStatus.getOrDefault(status, new Count(0, true));
    }

    /** All sagas: the sum of the statuses. */
    public Count all() {
        Count all = new Count(0, true);
        for (SagaStatus status : SagaStatus.values()) {
            all = all.plus(count(status));
        }
        return all;
    }

    /** The sagas in NEEDS_ATTENTION or COMPENSATION_FAILED, which wait for a person. */
    public Count needsPerson() {
        return count(SagaStatus.NEEDS_ATTENTION).plus(count(SagaStatus.COMPENSATION_FAILED));
    }
}
