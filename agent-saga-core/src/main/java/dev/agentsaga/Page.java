package dev.agentsaga;

import java.util.List;

/**
 * One page of results.
 *
 * @param total the number of results on all pages
 */
public record Page<T>(List<T> items, int page, int size, long total) {

    public Page {
        items = List.copyOf(items);
    }

    /** Whether a further page has results. */
    public boolean hasNext() {
        return (long) (page + 1) * size < total;
    }
}
