package dev.agentsaga.store.jdbc;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.StepRecord;

/**
 * The lineage part of {@link JdbcSagaStore}: child sagas (the step that starts one with its insert, a parent's
 * children, the parking that waits for a child and the wake a child gives its parent) and forks (inserted
 * with the entries they inherit).
 */
final class Lineage {

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final Rows rows;

    private final JournalWrites journal;

    /** Inserts a saga unless its id exists; false then. */
    private final Predicate<NewSaga> insert;

    Lineage(JdbcCalls db, SqlDialect sql, Rows rows, JournalWrites journal, Predicate<NewSaga> insert) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
        this.journal = journal;
        this.insert = insert;
    }

    boolean startChild(JournalWrite.AppendStep start, NewSaga child) {
        Lease lease = start.lease();
        StepRecord step = start.step();
        return db.inTransaction(() -> {
            if (db.jdbc.update(sql.touchLease(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("now", rows.time(child.createdAt())))) != 1) {
                return false;
            }
            if (db.jdbc.query(sql.selectStep(), Map.of("sagaId", step.sagaId(), "seq", step.seq()), rows::step).isEmpty()) {
                journal.apply(start);
            }
            insert.test(child);
            return true;
        });
    }

    List<InstanceRecord> children(String parentId) {
        return db.call(() -> db.jdbc.query(sql.selectChildren(), Map.of("parentId", parentId), rows::instance));
    }

    void wakeParent(String parentId, Instant now) {
        db.call(() -> db.jdbc.update(sql.wakeParent(), new MapSqlParameterSource("id", parentId)
                .addValue("now", rows.time(now))));
    }

    boolean parkOnChild(JournalWrite.StepWrite wait, String childId, Instant wakeAt, Instant now) {
        Lease lease = wait.lease();
        return db.inTransaction(() -> {
            if (db.jdbc.update(sql.touchLease(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("now", rows.time(now)))) != 1) {
                return false;
            }
            journal.apply(wait);
            db.jdbc.update(sql.parkInstance(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("wakeAt", rows.time(wakeAt)).addValue("now", rows.time(now))));
            wakeIfChild(lease.sagaId(), childId, FINISHED, now);
            return true;
        });
    }

    boolean parkCompensation(Lease lease, String childId, Instant wakeAt, Instant now) {
        return db.inTransaction(() -> {
            if (db.jdbc.update(sql.parkCompensation(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("wakeAt", rows.time(wakeAt)).addValue("now", rows.time(now)))) != 1) {
                return false;
            }
            wakeIfChild(lease.sagaId(), childId, RESTED, now);
            return true;
        });
    }

    /**
     * Reads the child's status under its row lock, after the parent's row was parked in this transaction, and
     * wakes the parent when it is one of {@code statuses}: a child that rested before this read is seen here,
     * and one that rests after it wakes the parked parent ({@link #wakeParent}, which waits for this
     * transaction's lock on the parent's row).
     */
    private void wakeIfChild(String parentId, String childId, Set<SagaStatus> statuses, Instant now) {
        List<@Nullable String> status = db.jdbc.queryForList(sql.lockInstance(), Map.of("id", childId), String.class);
        String current = status.isEmpty() ? null : status.get(0);
        if (current != null && statuses.contains(SagaStatus.valueOf(current))) {
            db.jdbc.update(sql.wakeParent(), new MapSqlParameterSource("id", parentId).addValue("now", rows.time(now)));
        }
    }

    /** The statuses in which a child has an outcome its parent's join records. */
    private static final Set<SagaStatus> FINISHED = Set.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
            SagaStatus.FAILED);

    /** The statuses in which a child's compensation waits for its parent's next move. */
    private static final Set<SagaStatus> RESTED = Set.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
            SagaStatus.FAILED, SagaStatus.COMPENSATION_FAILED);

    boolean createFork(NewSaga fork, List<StepRecord> inherited) {
        return db.inTransaction(() -> {
            if (!insert.test(fork)) {
                return false;
            }
            String insert = sql.insertInheritedStep();
            inherited.forEach(step -> db.jdbc.update(insert, rows.stepParams(step)));
            return true;
        });
    }
}
