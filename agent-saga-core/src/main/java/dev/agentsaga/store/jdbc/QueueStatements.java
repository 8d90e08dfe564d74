package dev.agentsaga.store.jdbc;

/**
 * The statements of the claims of configured queues ({@link dev.agentsaga.SagaQueue}): the queue's lock row,
 * its running sagas, and its candidates in turn order. Every supported database writes them alike;
 * {@link SqlDialect} makes them with its table names and the claim conditions.
 */
final class QueueStatements {

    /**
     * A saga of queue {@code :queue} (every saga records its queue, its workflow's name when it was started on no
     * other; a saga started before changelog 012 has none and is claimed as any other).
     */
    private static final String OF_QUEUE = "queue = :queue";

    /**
     * The order of turns: a saga that has waited since before {@code :agedBefore} first (oldest first), then by
     * priority, highest first, then oldest first.
     */
    private static final String TURN = """
            CASE WHEN created_at < :agedBefore THEN 0 ELSE 1 END,
            CASE WHEN created_at < :agedBefore THEN 0 ELSE COALESCE(priority, 0) END DESC, created_at, id""";

    private final String instance;

    private final String lock;

    private final String runnable;

    private final String fromNoTable;

    /** The end of a claim in one statement: {@link SqlDialect#takePicked()}. */
    private final String takePicked;

    QueueStatements(String instance, String lock, String runnable, String due, String fromNoTable,
            String takePicked) {
        this.instance = instance;
        this.lock = lock;
        this.runnable = "((" + runnable + ") OR (" + due + "))";
        this.fromNoTable = fromNoTable;
        this.takePicked = takePicked;
    }

    /** Inserts the lock row {@code :name} unless it exists. */
    String insertLock() {
        return "INSERT INTO %1$s (name) SELECT :name%2$s WHERE NOT EXISTS (SELECT 1 FROM %1$s WHERE name = :name)"
                .formatted(lock, fromNoTable);
    }

    /**
     * The partition keys and owners of the queue's sagas that hold a live lease, leaving out those of
     * {@code :owner} when it takes its own back ({@code :includeOwn}).
     */
    String running() {
        return """
                SELECT partition_key, owner FROM %s
                WHERE %s AND status IN ('RUNNING', 'COMPENSATING') AND owner IS NOT NULL
                  AND lease_expires_at >= :now AND NOT (owner = :owner AND :includeOwn)""".formatted(instance, OF_QUEUE);
    }

    /**
     * The ids of up to {@code :window} sagas the queue may run next, in turn order, at most {@code :perPartition}
     * of each partition key (sagas without one share a partition); without locks.
     */
    String candidates() {
        return """
                SELECT id FROM (
                    SELECT id, created_at, priority,
                           ROW_NUMBER() OVER (PARTITION BY partition_key ORDER BY %3$s) AS turn
                    FROM %1$s WHERE %2$s AND %4$s) ranked
                WHERE turn <= :perPartition
                ORDER BY %3$s
                LIMIT :window""".formatted(instance, OF_QUEUE, TURN, runnable);
    }

    /**
     * Takes the queue's runnable sagas in turn order, as many as {@code :room} and its limits leave, skipping
     * those another transaction holds, and returns them with their status, owner and wake time before, in one
     * statement ({@code UPDATE ... RETURNING}, where the dialect claims in one statement): the claim of a queue
     * without a partition limit, under the queue's lock row. The limits count the live leases in the same
     * statement, whose snapshot is taken after the lock row was: {@code :globalLimit} across the fleet when
     * {@code global}, {@code :nodeLimit} of {@code :owner} when {@code node}.
     */
    String claimInTurn(boolean global, boolean node) {
        String live = """
                (SELECT COUNT(*) FROM %s WHERE %s AND status IN ('RUNNING', 'COMPENSATING') AND owner IS NOT NULL
                   AND lease_expires_at >= :now AND NOT (owner = :owner AND :includeOwn)%%s)"""
                .formatted(instance, OF_QUEUE);
        String room = ":room";
        if (global) {
            room = "LEAST(" + room + ", :globalLimit - " + live.formatted("") + ")";
        }
        if (node) {
            room = "LEAST(" + room + ", :nodeLimit - " + live.formatted(" AND owner = :owner") + ")";
        }
        return """
                WITH picked AS (
                    SELECT id, status AS previous_status, owner AS previous_owner, wake_at AS previous_wake_at
                    FROM %1$s WHERE %2$s AND %3$s
                    ORDER BY %4$s
                    LIMIT GREATEST(0, %5$s)
                    FOR UPDATE SKIP LOCKED)
                %6$s""".formatted(instance, OF_QUEUE, runnable, TURN, room, takePicked);
    }

    /** Locks those of the candidates {@code :ids} that may still be claimed and no other transaction holds. */
    String lockCandidates() {
        return """
                SELECT id, status AS previous_status, owner AS previous_owner, wake_at AS previous_wake_at, partition_key
                FROM %s WHERE id IN (:ids) AND %s FOR UPDATE SKIP LOCKED""".formatted(instance, runnable);
    }

    /** How many sagas of each queue of {@code :queues} run (hold a live lease) and wait (PENDING or due). */
    String counts() {
        return """
                SELECT queue AS queue_name,
                       SUM(CASE WHEN status IN ('RUNNING', 'COMPENSATING') AND owner IS NOT NULL
                                     AND lease_expires_at >= :now THEN 1 ELSE 0 END) AS running,
                       SUM(CASE WHEN status = 'PENDING' OR status = 'WAITING' AND wake_at <= :now
                                     OR status IN ('RUNNING', 'COMPENSATING') AND owner IS NULL THEN 1 ELSE 0 END)
                           AS waiting
                FROM %s
                WHERE queue IN (:queues) AND status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPENSATING')
                GROUP BY queue""".formatted(instance);
    }
}
