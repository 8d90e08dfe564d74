package dev.agentsaga.store.jdbc;

import java.time.Duration;
import java.time.Instant;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.spi.RateReservation;

/**
 * The rate-limit part of {@link JdbcSagaStore}: the {@code rate_window} table, one row per rate key and minute,
 * counting the model calls granted in it and their tokens. Each statement runs on its own in auto-commit; the
 * grant is one conditional {@code UPDATE}, so engines that reserve at once take turns on the row's lock.
 */
final class RateWindows {

    /** How long a key's past windows are kept: long enough to read the last hour's counts in SQL. */
    private static final Duration KEPT = Duration.ofHours(1);

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final Rows rows;

    RateWindows(JdbcCalls db, SqlDialect sql, Rows rows) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#reserveRate}. */
    boolean reserve(RateReservation reservation) {
        MapSqlParameterSource params = new MapSqlParameterSource("key", reservation.key())
                .addValue("window", rows.time(reservation.window()))
                .addValue("tokens", reservation.tokens())
                .addValue("requestLimit", reservation.requestLimit())
                .addValue("tokenLimit", reservation.tokenLimit())
                .addValue("before", rows.time(reservation.window().minus(KEPT)));
        return db.call(() -> {
            if (db.jdbc.update(sql.insertRateWindow(), params) == 1) {
                // a new minute for this key: the first node into it forgets the key's old windows
                db.jdbc.update(sql.deleteRateWindowsBefore(), params);
            }
            return db.jdbc.update(sql.reserveRate(reservation.requestLimit() > 0, reservation.tokenLimit() > 0),
                    params) == 1;
        });
    }

    /** See {@link dev.agentsaga.spi.SagaStore#addRateTokens}. */
    void addTokens(String key, Instant window, long tokens) {
        db.call(() -> db.jdbc.update(sql.addRateTokens(), new MapSqlParameterSource("key", key)
                .addValue("window", rows.time(window)).addValue("tokens", tokens)));
    }
}
