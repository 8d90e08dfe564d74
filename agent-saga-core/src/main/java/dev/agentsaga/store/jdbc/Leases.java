package dev.agentsaga.store.jdbc;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.WorkflowKey;

/**
 * The leases part of {@link JdbcSagaStore}: claims of runnable sagas (in one statement, or in several
 * where the database has no {@code UPDATE ... RETURNING}) and the heartbeat's renewals.
 */
final class Leases {

    /** How many times a lease renewal tries the rows it skipped because a journal write held them. */
    private static final int RENEWAL_PASSES = 3;

    private static final long RENEWAL_PAUSE_MILLIS = 5;

    /** How many candidates per claimed saga a claim in several statements looks at. */
    private static final int CANDIDATE_WINDOW = 4;

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final Rows rows;

    Leases(JdbcCalls db, SqlDialect sql, Rows rows) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#claim}. */
    List<ClaimedSaga> claim(String owner, Collection<WorkflowKey> workflows, Collection<String> excludedQueues,
            int limit, boolean includeOwn, Instant now, Instant leaseUntil) {
        if (workflows.isEmpty() || limit < 1) {
            return List.of();
        }
        List<Object[]> pairs = workflows.stream().map(k -> new Object[] { k.workflow(), k.version() }).toList();
        MapSqlParameterSource params = new MapSqlParameterSource("owner", owner)
                .addValue("workflows", pairs).addValue("limit", limit).addValue("includeOwn", includeOwn)
                .addValue("now", rows.time(now)).addValue("leaseUntil", rows.time(leaseUntil))
                .addValue("excludedQueues", List.copyOf(excludedQueues));
        UnaryOperator<String> scope = excludedQueues.isEmpty() ? UnaryOperator.identity() : SqlDialect::outsideQueues;
        if (sql.claimsInOneStatement()) {
            return db.call(() -> db.jdbc.query(scope.apply(sql.claim()), params, rows::claimed));
        }
        return db.inTransaction(() -> claimInSteps(params, limit, scope), sql.claimIsolation());
    }

    /**
     * A claim without {@code UPDATE ... RETURNING}, in one transaction: find candidates, lock up to
     * {@code limit} runnable and {@code limit} due ones one by one, take them by id, read them back.
     * The candidate window is larger than the limit so that claims of other engines, holding the first
     * candidates, are skipped rather than waited for.
     */
    private List<ClaimedSaga> claimInSteps(MapSqlParameterSource params, int limit, UnaryOperator<String> scope) {
        MapSqlParameterSource search = new MapSqlParameterSource(params.getValues())
                .addValue("window", limit * CANDIDATE_WINDOW);
        Map<String, Previous> previous = new LinkedHashMap<>();
        lockCandidates(scope.apply(sql.claimRunnableCandidates()), scope.apply(sql.lockRunnable()), search, limit,
                previous);
        lockCandidates(scope.apply(sql.claimDueCandidates()), scope.apply(sql.lockDue()), search, limit, previous);
        return takeLocked(params, previous);
    }

    /** Takes the sagas locked in {@code previous} (by id, with their status before) and reads them back. */
    List<ClaimedSaga> takeLocked(MapSqlParameterSource params, Map<String, Previous> previous) {
        if (previous.isEmpty()) {
            return List.of();
        }
        MapSqlParameterSource taken = new MapSqlParameterSource(params.getValues())
                .addValue("ids", List.copyOf(previous.keySet()));
        db.jdbc.update(sql.claimByIds(), taken);
        return db.jdbc.query(sql.selectInstances(), taken,
                (rs, n) -> {
                    // the rows read back are those locked above
                    Previous before = Objects.requireNonNull(previous.get(rs.getString("id")));
                    return rows.claimed(rs, before.status(), before.owner(), before.wakeAt());
                });
    }

    private void lockCandidates(String candidates, String lock, MapSqlParameterSource search, int limit,
            Map<String, Previous> previous) {
        int locked = 0;
        for (String id : db.jdbc.queryForList(candidates, search, String.class)) {
            if (locked == limit) {
                return;
            }
            if (previous.containsKey(id)) {
                continue;
            }
            List<Previous> before = db.jdbc.query(lock, new MapSqlParameterSource(search.getValues()).addValue("id", id),
                    (rs, n) -> new Previous(rs.getString("previous_status"), rs.getString("previous_owner"),
                            sql.instant(rs, "previous_wake_at")));
            if (!before.isEmpty()) {
                previous.put(id, before.get(0));
                locked++;
            }
        }
    }

    /**
     * Renews in passes that skip rows another transaction holds (a journal write under way, which commits
     * within milliseconds): a renewal that waited for one row while holding the locks of others could
     * deadlock with a group of journal writes, which holds several sagas' rows (see
     * {@link JdbcSagaStore#writeAll}).
     * Rows still locked after the passes are renewed one at a time, waiting, holding a single lock.
     */
    int renew(String owner, Collection<String> sagaIds, Instant leaseUntil) {
        Set<String> pending = new LinkedHashSet<>(sagaIds);
        int renewed = 0;
        for (int pass = 1; pass <= RENEWAL_PASSES && !pending.isEmpty(); pass++) {
            if (pass > 1) {
                pauseBetweenPasses();
            }
            MapSqlParameterSource params = renewal(owner, List.copyOf(pending), leaseUntil);
            List<String> locked = db.inTransaction(() -> {
                List<String> ids = db.jdbc.query(sql.lockOwnedSkipLocked(), params, (rs, row) -> rs.getString(1));
                if (!ids.isEmpty()) {
                    db.jdbc.update(sql.renewLeases(), renewal(owner, ids, leaseUntil));
                }
                return ids;
            });
            renewed += locked.size();
            locked.forEach(pending::remove);
        }
        for (String id : pending) {
            // still locked, or no longer this owner's (then nothing is updated)
            renewed += db.call(() -> db.jdbc.update(sql.renewLeases(), renewal(owner, List.of(id), leaseUntil)));
        }
        return renewed;
    }

    private MapSqlParameterSource renewal(String owner, List<String> ids, Instant leaseUntil) {
        return new MapSqlParameterSource("owner", owner).addValue("ids", ids).addValue("leaseUntil",
                rows.time(leaseUntil));
    }

    private static void pauseBetweenPasses() {
        try {
            Thread.sleep(RENEWAL_PAUSE_MILLIS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** A locked candidate's status and owner before the claim. */
    record Previous(String status, @Nullable String owner, @Nullable Instant wakeAt) {
    }
}
