package dev.agentsaga;

import java.time.Duration;
import java.util.Objects;

/**
 * A queue whose sagas take turns across every node that shares the database: at most
 * {@code globalConcurrency} of them hold a lease at once in the fleet, at most {@code nodeConcurrency} on one
 * node, at most {@code partitionConcurrency} per partition key; the others wait PENDING (or due, after a
 * durable wait), holding no thread; a saga of a queue with a limit always starts PENDING and is claimed within
 * the limits. Among the sagas waiting, the one with the highest priority is claimed first, oldest first among
 * equals; a saga that has waited longer than {@code aging} goes ahead of any that
 * waited less, oldest first, so that no priority starves another for longer than that. A queue is named after
 * its workflow, or given at the start ({@link StartOptions#queue()}). 0 is no limit.
 */
public record SagaQueue(String name, int globalConcurrency, int nodeConcurrency, int partitionConcurrency,
        Duration aging) {

    /** The default aging: five minutes. */
    public static final Duration DEFAULT_AGING = Duration.ofMinutes(5);

    public SagaQueue {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("A queue's name must not be blank nor longer than 200 characters");
        }
        if (globalConcurrency < 0 || nodeConcurrency < 0 || partitionConcurrency < 0) {
            throw new IllegalArgumentException("Concurrency limits of queue '" + name + "' must not be negative "
                    + "(0 for no limit)");
        }
        Objects.requireNonNull(aging, "aging must not be null");
        if (aging.isNegative() || aging.isZero()) {
            throw new IllegalArgumentException("The aging of queue '" + name + "' must be positive, was " + aging);
        }
    }

    /** Whether any of the limits is set. */
    public boolean limited() {
        return globalConcurrency > 0 || nodeConcurrency > 0 || partitionConcurrency > 0;
    }

    /** A queue without limits, named {@code name}: its sagas run at once, as if it were not configured. */
    public static SagaQueue named(String name) {
        return new SagaQueue(name, 0, 0, 0, DEFAULT_AGING);
    }

    /** This queue with at most {@code limit} sagas holding a lease at once across the fleet. */
    public SagaQueue withGlobalConcurrency(int limit) {
        return new SagaQueue(name, limit, nodeConcurrency, partitionConcurrency, aging);
    }

    /** This queue with at most {@code limit} sagas at once on one node. */
    public SagaQueue withNodeConcurrency(int limit) {
        return new SagaQueue(name, globalConcurrency, limit, partitionConcurrency, aging);
    }

    /** This queue with at most {@code limit} sagas at once per partition key across the fleet. */
    public SagaQueue withPartitionConcurrency(int limit) {
        return new SagaQueue(name, globalConcurrency, nodeConcurrency, limit, aging);
    }

    /** This queue with another aging bound on priorities. */
    public SagaQueue withAging(Duration aging) {
        return new SagaQueue(name, globalConcurrency, nodeConcurrency, partitionConcurrency, aging);
    }
}
