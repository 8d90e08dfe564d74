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

    private final PayloadColumns payloads;

    Erasures(JdbcCalls db, SqlDialect sql, Rows rows, PayloadColumns payloads) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
        this.payloads = payloads;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#erase}. */
    boolean erase(String sagaId, @Nullable String error, List<StepRecord> steps, Instant now) {
        return db.inTransaction(() -> {
            if (db.jdbc.update(sql.housekeeping().eraseInstance(), new MapSqlParameterSource("id", sagaId)
                    .addValue("erased", SagaView.ERASED).addValue("error", payloads.seal(sagaId, error), Types.VARCHAR)
                    .addValue("now", rows.time(now), sql.timestampType())) != 1) {
                return false;
            }
            if (!steps.isEmpty()) {
                db.jdbc.batchUpdate(sql.housekeeping().eraseStep(), steps.stream().map(this::stepParams)
                        .toArray(SqlParameterSource[]::new));
            }
            db.jdbc.update(sql.housekeeping().eraseSignals(), new MapSqlParameterSource("sagaId", sagaId)
                    .addValue("erased", SagaView.ERASED));
            return true;
        });
    }

    /** The erased entry's payload columns, sealed as every payload is (the texts it keeps stay encrypted). */
    private SqlParameterSource stepParams(StepRecord step) {
        String sagaId = step.sagaId();
        return new MapSqlParameterSource("sagaId", sagaId).addValue("seq", step.seq())
                .addValue("input", payloads.seal(sagaId, step.input()), Types.VARCHAR)
                .addValue("output", payloads.seal(sagaId, step.output()), Types.VARCHAR)
                .addValue("error", payloads.seal(sagaId, step.error()), Types.VARCHAR)
                .addValue("compensationError", payloads.seal(sagaId, step.compensationError()), Types.VARCHAR)
                .addValue("note", payloads.seal(sagaId, step.note()), Types.VARCHAR)
                .addValue("fingerprint", payloads.seal(sagaId, step.fingerprint()), Types.VARCHAR);
    }
}
