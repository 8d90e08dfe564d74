package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * How a saga is started ({@link SagaCoordinator#start(String, Object, StartOptions)}): under an id of the
 * caller's, on a named queue, for a partition, with a priority. Every field is optional.
 *
 * @param sagaId the saga's id, or null for a new UUID (an id makes the start idempotent)
 * @param queue the queue the saga waits on for its turn, or null for the queue named after its workflow; the
 *        limits and priority order of a configured queue ({@link SagaQueue}) apply to it
 * @param partitionKey the partition within the queue (a tenant, a user), or null: a queue's partition limit
 *        applies per key
 * @param priority the higher, the sooner a configured queue runs the saga; 0 by default
 */
public record StartOptions(@Nullable String sagaId, @Nullable String queue, @Nullable String partitionKey,
        int priority) {

    private static final StartOptions DEFAULTS = new StartOptions(null, null, null, 0);

    public StartOptions {
        requireNotBlank(queue, "queue");
        requireNotBlank(partitionKey, "partitionKey");
        if (queue != null && queue.length() > 200 || partitionKey != null && partitionKey.length() > 200) {
            throw new IllegalArgumentException("queue and partitionKey must be at most 200 characters");
        }
    }

    /** A new id, the workflow's queue, no partition, priority 0. */
    public static StartOptions defaults() {
        return DEFAULTS;
    }

    public StartOptions withSagaId(String sagaId) {
        return new StartOptions(sagaId, queue, partitionKey, priority);
    }

    public StartOptions withQueue(String queue) {
        return new StartOptions(sagaId, queue, partitionKey, priority);
    }

    public StartOptions withPartitionKey(String partitionKey) {
        return new StartOptions(sagaId, queue, partitionKey, priority);
    }

    public StartOptions withPriority(int priority) {
        return new StartOptions(sagaId, queue, partitionKey, priority);
    }

    private static void requireNotBlank(@Nullable String value, String name) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank; leave it null for the default");
        }
    }
}
