package dev.agentsaga.store.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.spi.PayloadCipher;

/**
 * Moves stored payloads to the cipher's current key: those written before encryption was on and those
 * sealed under an older key. Sagas are taken in id order, each in a transaction of its own that holds
 * its row's lock, which every journal write of the saga also takes first: a saga's payloads are never
 * rewritten under a write of its run, and a saga's lock is held for milliseconds.
 */
final class Reencryption {

    private static final List<String> INSTANCE_PAYLOADS = List.of("input", "output", "error", "fork_overrides");

    private static final List<String> STEP_PAYLOADS = List.of("input", "output", "error", "compensation_error", "note",
            "fingerprint");

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final PayloadCipher cipher;

    Reencryption(JdbcCalls db, SqlDialect sql, PayloadCipher cipher) {
        this.db = db;
        this.sql = sql;
        this.cipher = cipher;
    }

    /** See {@link JdbcSagaStore#reencrypt}. */
    ReencryptedBatch run(@Nullable String after, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        List<String> ids = db.call(() -> db.jdbc.queryForList(sql.housekeeping().sagaIdsAfter(), new MapSqlParameterSource(
                "after", after == null ? "" : after).addValue("limit", batchSize), String.class));
        int payloads = 0;
        for (String id : ids) {
            payloads += db.inTransaction(() -> reencrypt(id));
        }
        return new ReencryptedBatch(ids.size(), payloads, ids.size() < batchSize ? null : ids.get(ids.size() - 1));
    }

    private int reencrypt(String sagaId) {
        if (db.jdbc.queryForList(sql.lockInstance(), Map.of("id", sagaId), String.class).isEmpty()) {
            return 0;
        }
        return reseal(sagaId, sql.selectInstance(), new MapSqlParameterSource("id", sagaId), List.of("id"),
                INSTANCE_PAYLOADS, sql.housekeeping().reencryptInstance())
                + reseal(sagaId, sql.selectJournal(), new MapSqlParameterSource("sagaId", sagaId),
                        List.of("saga_id", "seq"), STEP_PAYLOADS, sql.housekeeping().reencryptStep())
                + reseal(sagaId, sql.housekeeping().selectSignals(), new MapSqlParameterSource("sagaId", sagaId), List.of("id"),
                        List.of("payload"), sql.housekeeping().reencryptSignal());
    }

    /**
     * Rewrites each row {@code select} finds whose payload columns hold a value not sealed under the current
     * key, with those values opened and sealed again; {@code update} names the keys and the columns.
     */
    private int reseal(String sagaId, String select, MapSqlParameterSource selection, List<String> keys,
            List<String> columns, String update) {
        List<Map<String, @Nullable Object>> rows = db.jdbc.query(select, selection, (rs, n) -> row(rs, keys, columns));
        int resealed = 0;
        for (Map<String, @Nullable Object> row : rows) {
            MapSqlParameterSource params = new MapSqlParameterSource();
            keys.forEach(key -> params.addValue(key, row.get(key)));
            int before = resealed;
            for (String column : columns) {
                String stored = (String) row.get(column);
                if (stored != null && !cipher.isCurrent(stored)) {
                    stored = cipher.seal(sagaId, cipher.open(sagaId, stored));
                    resealed++;
                }
                params.addValue(column, stored, Types.VARCHAR);
            }
            if (resealed > before) {
                db.jdbc.update(update, params);
            }
        }
        return resealed;
    }

    private static Map<String, @Nullable Object> row(ResultSet rs, List<String> keys, List<String> columns)
            throws SQLException {
        Map<String, @Nullable Object> row = new HashMap<>();
        for (String key : keys) {
            row.put(key, rs.getObject(key));
        }
        for (String column : columns) {
            row.put(column, rs.getString(column));
        }
        return row;
    }
}
