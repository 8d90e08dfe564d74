package dev.agentsaga.store.jdbc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.ArchiveFailedException;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.RetentionBatch;
import dev.agentsaga.spi.SagaArchiver;
import dev.agentsaga.spi.StepRecord;

/**
 * The retention part of {@link JdbcSagaStore}: one batch of finished sagas deleted in one transaction under
 * the fleet-wide lock {@value #LOCK}, so one node at a time deletes and a node that dies mid-batch deletes
 * nothing of it. A saga goes with all its rows or not at all.
 */
final class Retention {

    static final String LOCK = "retention";

    private static final List<SagaStatus> FINISHED = List.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
            SagaStatus.FAILED);

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final Rows rows;

    Retention(JdbcCalls db, SqlDialect sql, Rows rows) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#deleteFinished}. */
    RetentionBatch.@Nullable Deleted deleteFinished(RetentionBatch batch, @Nullable SagaArchiver archiver) {
        return db.inTransaction(() -> {
            MapSqlParameterSource lock = new MapSqlParameterSource("name", LOCK).addValue("node", batch.nodeId())
                    .addValue("now", rows.time(batch.now()));
            if (db.jdbc.queryForList(sql.housekeeping().tryLock(), lock, String.class).isEmpty()) {
                return null;
            }
            db.jdbc.update(sql.housekeeping().noteLock(), lock);
            List<String> ids = expired(batch);
            if (ids.isEmpty()) {
                return new RetentionBatch.Deleted(0, 0);
            }
            MapSqlParameterSource byIds = new MapSqlParameterSource("ids", ids);
            if (archiver != null) {
                archive(archiver, byIds);
            }
            long deleted = db.jdbc.update(sql.housekeeping().deleteSignalsOf(), byIds);
            deleted += db.jdbc.update(sql.housekeeping().deleteStepsOf(), byIds);
            deleted += db.jdbc.update(sql.housekeeping().deleteInstances(), byIds);
            return new RetentionBatch.Deleted(ids.size(), deleted);
        });
    }

    /** The ids of up to the batch's limit of expired finished sagas, locked, oldest first within a status. */
    private List<String> expired(RetentionBatch batch) {
        boolean excluding = batch.workflow() == null && !batch.excluded().isEmpty();
        MapSqlParameterSource params = new MapSqlParameterSource("before", rows.time(batch.createdBefore()))
                .addValue("workflow", batch.workflow()).addValue("excluded", List.copyOf(batch.excluded()));
        List<String> ids = new ArrayList<>();
        for (SagaStatus status : FINISHED) {
            int left = batch.limit() - ids.size();
            if (left == 0) {
                break;
            }
            ids.addAll(db.jdbc.queryForList(sql.housekeeping().lockExpired(batch.workflow() != null, excluding),
                    new MapSqlParameterSource(params.getValues()).addValue("status", status.name())
                            .addValue("limit", left), String.class));
        }
        return ids;
    }

    /** Hands the locked sagas to the archiver in the export format; what it throws rolls the batch back. */
    private void archive(SagaArchiver archiver, MapSqlParameterSource byIds) {
        Map<String, List<StepRecord>> journals = new LinkedHashMap<>();
        db.jdbc.query(sql.housekeeping().selectJournals(), byIds, (rs, n) -> rows.step(rs, n))
                .forEach(step -> journals.computeIfAbsent(step.sagaId(), id -> new ArrayList<>()).add(step));
        List<SagaExport> sagas = new ArrayList<>();
        for (InstanceRecord saga : db.jdbc.query(sql.selectInstances(), byIds, rows::instance)) {
            sagas.add(new SagaExport(saga.id(), saga.workflow(), saga.workflowVersion(), saga.status(), saga.input(),
                    saga.output(), saga.error(), saga.cancelRequested(), saga.createdAt(), saga.erasedAt(),
                    journals.getOrDefault(saga.id(), List.of())));
        }
        try {
            archiver.archive(sagas);
        }
        catch (Exception ex) {
            throw new ArchiveFailedException(sagas.size(), ex);
        }
    }
}
