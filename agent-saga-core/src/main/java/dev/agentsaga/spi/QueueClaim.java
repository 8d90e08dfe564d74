package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import dev.agentsaga.SagaQueue;

/**
 * A claim of one configured queue's sagas ({@link SagaStore#claimQueue}) by {@code owner}: up to {@code limit}
 * of them (the owner's free workers), within the queue's limits, in turn order.
 *
 * @param workflows the workflow versions the owner runs
 * @param includeOwn whether the owner takes back its own sagas (at its start), which then do not count as running
 */
public record QueueClaim(String owner, SagaQueue queue, Collection<WorkflowKey> workflows, int limit,
        boolean includeOwn, Instant now, Instant leaseUntil) {

    public QueueClaim {
        Objects.requireNonNull(owner, "owner must not be null");
        Objects.requireNonNull(queue, "queue must not be null");
        workflows = List.copyOf(workflows);
        Objects.requireNonNull(now, "now must not be null");
        Objects.requireNonNull(leaseUntil, "leaseUntil must not be null");
    }
}
