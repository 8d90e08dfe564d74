package dev.agentsaga.store.jdbc;

/**
 * The statements of the store's housekeeping, off the hot path: the node table and the fleet-wide locks,
 * schedules, retention, erasure and re-encryption. Every supported database writes them alike, so they are not a
 * dialect's to override; {@link SqlDialect} makes them with its table names.
 */
final class HousekeepingStatements {

    private final String instance;

    private final String step;

    private final String signal;

    private final String node;

    private final String lock;

    private final String schedule;

    HousekeepingStatements(String instance, String step, String signal, String node, String lock, String schedule) {
        this.instance = instance;
        this.step = step;
        this.signal = signal;
        this.node = node;
        this.lock = lock;
        this.schedule = schedule;
    }

    /**
     * Erases a finished saga's input, output, error and fork overrides, and records when unless an earlier erasure did; see
     * {@code SagaStore.erase}.
     */
    String eraseInstance() {
        return """
                UPDATE %s SET input = CASE WHEN input IS NOT NULL THEN :erased END,
                              output = CASE WHEN output IS NOT NULL THEN :erased END,
                              fork_overrides = CASE WHEN fork_overrides IS NOT NULL THEN :erased END,
                              error = :error, erased_at = COALESCE(erased_at, :now)
                WHERE id = :id AND status IN ('COMPLETED', 'COMPENSATED', 'FAILED')""".formatted(instance);
    }
    /** Writes a journal entry's erased payloads over its own; the rest of the entry is kept. */
    String eraseStep() {
        return """
                UPDATE %s SET input = :input, output = :output, error = :error, compensation_error = :compensationError,
                              note = :note, fingerprint = :fingerprint
                WHERE saga_id = :sagaId AND seq = :seq""".formatted(step);
    }
    String eraseSignals() {
        return "UPDATE %s SET payload = :erased WHERE saga_id = :sagaId AND payload IS NOT NULL".formatted(signal);
    }
    /**
     * Takes the fleet-wide lock {@code :name} for the rest of the transaction, or nothing when another
     * transaction holds it.
     */
    String tryLock() {
        return "SELECT name FROM %s WHERE name = :name FOR UPDATE SKIP LOCKED".formatted(lock);
    }
    /** Records who holds the lock {@code :name}, taken by {@link #tryLock()}. */
    String noteLock() {
        return "UPDATE %s SET locked_by = :node, locked_at = :now WHERE name = :name".formatted(lock);
    }
    /**
     * Locks up to {@code :limit} sagas of status {@code :status} created before {@code :before}, oldest first,
     * skipping rows other transactions hold: of workflow {@code :workflow} when {@code oneWorkflow}, else of
     * any workflow but {@code :excluded} when {@code excluding}. One status per statement, so that the
     * {@code (status, created_at, id)} index answers it in order and the scan stops at the limit. A child
     * saga is kept while its parent is unfinished: the parent's compensation may still have to undo it.
     */
    String lockExpired(boolean oneWorkflow, boolean excluding) {
        String workflow = oneWorkflow ? "\n  AND workflow = :workflow"
                : excluding ? "\n  AND workflow NOT IN (:excluded)" : "";
        return """
                SELECT id FROM %1$s saga
                WHERE status = :status AND created_at < :before%2$s
                  AND (parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM %1$s parent WHERE parent.id = saga.parent_id
                       AND parent.status NOT IN ('COMPLETED', 'COMPENSATED', 'FAILED')))
                ORDER BY created_at
                LIMIT :limit
                FOR UPDATE SKIP LOCKED""".formatted(instance, workflow);
    }
    /** The journals of the sagas {@code :ids}, saga by saga, in sequence order. */
    String selectJournals() {
        return "SELECT * FROM %s WHERE saga_id IN (:ids) ORDER BY saga_id, seq".formatted(step);
    }
    String deleteSignalsOf() {
        return "DELETE FROM %s WHERE saga_id IN (:ids)".formatted(signal);
    }
    String deleteStepsOf() {
        return "DELETE FROM %s WHERE saga_id IN (:ids)".formatted(step);
    }
    String deleteInstances() {
        return "DELETE FROM %s WHERE id IN (:ids)".formatted(instance);
    }
    /** Unfinished sagas of every workflow, counted per workflow and version. */
    String unfinishedByVersionOfAll() {
        return """
                SELECT workflow, workflow_version, COUNT(*) AS n FROM %s
                WHERE status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPENSATING')
                GROUP BY workflow, workflow_version""".formatted(instance);
    }
    String deleteNode() {
        return "DELETE FROM %s WHERE id = :id".formatted(node);
    }
    String deleteNodesNotSeenSince() {
        return "DELETE FROM %s WHERE seen_at < :before".formatted(node);
    }
    String insertNode() {
        return "INSERT INTO %s (id, workflows, started_at, seen_at) VALUES (:id, :workflows, :now, :now)"
                .formatted(node);
    }
    String touchNode() {
        return "UPDATE %s SET seen_at = :now WHERE id = :id".formatted(node);
    }
    String selectNodes() {
        return "SELECT * FROM %s ORDER BY id".formatted(node);
    }
    /** Up to {@code :limit} saga ids after {@code :after}, in order: the batches of a re-encryption. */
    String sagaIdsAfter() {
        return "SELECT id FROM %s WHERE id > :after ORDER BY id LIMIT :limit".formatted(instance);
    }
    String selectSignals() {
        return "SELECT id, payload FROM %s WHERE saga_id = :sagaId".formatted(signal);
    }
    /** Rewrites a saga's payloads, re-encrypted; nothing else of the row changes (not even {@code updated_at}). */
    String reencryptInstance() {
        return """
                UPDATE %s SET input = :input, output = :output, error = :error, fork_overrides = :fork_overrides
                WHERE id = :id""".formatted(instance);
    }
    String reencryptStep() {
        return """
                UPDATE %s SET input = :input, output = :output, error = :error,
                              compensation_error = :compensation_error, note = :note, fingerprint = :fingerprint
                WHERE saga_id = :saga_id AND seq = :seq""".formatted(step);
    }
    String reencryptSignal() {
        return "UPDATE %s SET payload = :payload WHERE id = :id".formatted(signal);
    }
    String selectSchedule() {
        return "SELECT * FROM %s WHERE name = :name".formatted(schedule);
    }
    /** A schedule's first row; a duplicate key when another engine inserted it first. */
    String insertSchedule() {
        return "INSERT INTO %s (name, last_tick) VALUES (:name, :tick)".formatted(schedule);
    }
    /** Moves a schedule's last tick on, only from the one the engine read: a compare-and-set. */
    String advanceSchedule() {
        return """
                UPDATE %s SET last_tick = :tick, fired_by = :node, fired_at = :now
                WHERE name = :name AND last_tick = :expected""".formatted(schedule);
    }
    String selectSchedules() {
        return "SELECT * FROM %s ORDER BY name".formatted(schedule);
    }
}
