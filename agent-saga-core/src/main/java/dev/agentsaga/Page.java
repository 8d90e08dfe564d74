package dev.agentsaga;

import java.util.List;

/**
 * One page of results.
 *
 * <p>Counting every result of a large list on each page would cost as much as reading them all, so a
 * store may stop counting: then {@code totalExact} is false, {@code total} is where it stopped, and there
 * are more results than that. A total that is not exact still reaches past the end of this page, so
 * {@link #hasNext()} is true. The JDBC store counts up to 10,000 results, or to the end of the page when
 * that is further.
 *
 * @param total the number of results on all pages when {@code totalExact}; otherwise a lower bound: there
 *     are more than {@code total} results
 * @param totalExact whether {@code total} is the exact number of results
 */
public record Page<T>(List<T> items, int page, int size, long total, boolean totalExact) {

    public Page {
        items = List.copyOf(items);
        if (total < 0) {
            throw new IllegalArgumentException("total must not be negative, was " + total);
        }
        if (!totalExact && total < (long) (page + 1) * size) {
            throw new IllegalArgumentException("A total that is not exact must reach past the end of the page ("
                    + (long) (page + 1) * size + " results), was " + total);
        }
    }

    /** A page whose total is exact. */
    public Page(List<T> items, int page, int size, long total) {
        this(items, page, size, total, true);
    }

    /** Whether a further page has results. */
    public boolean hasNext() {
        return !totalExact || (long) (page + 1) * size < total;
    }
}
