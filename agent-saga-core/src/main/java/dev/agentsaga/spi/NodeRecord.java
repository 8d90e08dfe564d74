package dev.agentsaga.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A row of the {@code node} table: an engine that runs, the workflow versions it runs, when it started and
 * when its heartbeat last recorded it.
 */
public record NodeRecord(String id, List<WorkflowKey> workflows, Instant startedAt, Instant seenAt) {

    public NodeRecord {
        Objects.requireNonNull(id, "id must not be null");
        workflows = List.copyOf(workflows);
    }
}
