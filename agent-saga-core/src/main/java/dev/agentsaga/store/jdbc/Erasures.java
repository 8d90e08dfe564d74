package dev.agentsaga.store.jdbc;

import java.sql.Types;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;

import dev.agentsaga.SagaView;
import dev.agentsaga.spi.StepRecord;

/**
 * The erasure part of {@link JdbcSagaStore}: a finished saga's payloads replaced in its three tables at
 * once. The saga's row is updated first, on the condition that the saga is finished; its journal and
 * signals only when it was.
 */
final class Erasures {

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final Rows rows;

    Erasures(JdbcCalls db, SqlDialect sql, Rows rows) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#erase}. */
    boolean erase(String sagaId, @Nullable String error, List<StepRecord> steps, Instant now) {
        return db.inTransaction(() -> {
            if (db.jdbc.update(sql.eraseInstance(), new MapSqlParameterSource("id", sagaId)
                    .addValue("erased", SagaView.ERASED).addValue("error", error, Types.VARCHAR)
                    .addValue("now", rows.time(now), sql.timestampType())) != 1) {
                return false;
            }
            if (!steps.isEmpty()) {
                db.jdbc.batchUpdate(sql.eraseStep(), steps.stream().map(Erasures::stepParams)
                        .toArray(SqlParameterSource[]::new));
            }
            db.jdbc.update(sql.eraseSignals(), new MapSqlParameterSource("sagaId", sagaId)
                    .addValue("erased", SagaView.ERASED));
            return true;
        });
    }

    private static SqlParameterSource stepParams(StepRecord step) {
        return new MapSqlParameterSource("sagaId", step.sagaId()).addValue("seq", step.seq())
                .addValue("input", step.input(), Types.VARCHAR)
                .addValue("output", step.output(), Types.VARCHAR)
                .addValue("error", step.error(), Types.VARCHAR)
                .addValue("compensationError", step.compensationError(), Types.VARCHAR)
                .addValue("note", step.note(), Types.VARCHAR)
                .addValue("fingerprint", step.fingerprint(), Types.VARCHAR);
    }
}
