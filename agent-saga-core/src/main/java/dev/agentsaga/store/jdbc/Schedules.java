package dev.agentsaga.store.jdbc;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.spi.ScheduleRecord;

/**
 * The schedules part of {@link JdbcSagaStore}: the {@code schedule} table, one row per schedule holding the
 * latest tick started, moved forward by a compare-and-set so that engines that fire the same tick at once
 * move it once.
 */
final class Schedules {

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final Rows rows;

    Schedules(JdbcCalls db, SqlDialect sql, Rows rows) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#schedule}. */
    ScheduleRecord find(String name, Instant initialTick) {
        MapSqlParameterSource params = new MapSqlParameterSource("name", name);
        return db.call(() -> {
            List<ScheduleRecord> found = db.jdbc.query(sql.housekeeping().selectSchedule(), params, (rs, n) -> row(rs));
            if (!found.isEmpty()) {
                return found.get(0);
            }
            try {
                db.jdbc.update(sql.housekeeping().insertSchedule(), new MapSqlParameterSource(params.getValues())
                        .addValue("tick", rows.time(initialTick)));
                return new ScheduleRecord(name, initialTick, null, null);
            }
            catch (DuplicateKeyException ex) {
                // another engine recorded it first: its row is the schedule's
                return db.jdbc.queryForObject(sql.housekeeping().selectSchedule(), params, (rs, n) -> row(rs));
            }
        });
    }

    /** See {@link dev.agentsaga.spi.SagaStore#advanceSchedule}. */
    boolean advance(String name, Instant expected, Instant tick, String nodeId, Instant now) {
        return db.call(() -> db.jdbc.update(sql.housekeeping().advanceSchedule(), new MapSqlParameterSource("name", name)
                .addValue("expected", rows.time(expected)).addValue("tick", rows.time(tick))
                .addValue("node", nodeId).addValue("now", rows.time(now)))) == 1;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#schedules}. */
    List<ScheduleRecord> all() {
        return db.call(() -> db.jdbc.query(sql.housekeeping().selectSchedules(), (rs, n) -> row(rs)));
    }

    private ScheduleRecord row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new ScheduleRecord(rs.getString("name"), Objects.requireNonNull(sql.instant(rs, "last_tick")),
                rs.getString("fired_by"), sql.instant(rs, "fired_at"));
    }
}
