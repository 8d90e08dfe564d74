package dev.agentsaga.store.jdbc;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.SagaQueue;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.QueueClaim;
import dev.agentsaga.spi.SagaStore.QueueCount;
import dev.agentsaga.support.Digests;

/**
 * The queues part of {@link JdbcSagaStore}: the claim of a configured queue's sagas within its limits, under
 * the queue's row in the lock table, and the counts of its running and waiting sagas.
 */
final class Queues {

    /** How many candidates per saga to claim a queue's claim looks at, partition limits leaving some out. */
    private static final int CANDIDATE_WINDOW = 4;

    private final JdbcCalls db;

    private final QueueStatements sql;

    private final HousekeepingStatements locks;

    private final Rows rows;

    private final Leases leases;

    /** Whether a queue without a partition limit is claimed in one statement once counted (PostgreSQL). */
    private final boolean claimsInOneStatement;

    /** That statement by the limits it counts, built once: {@link #claimInTurn(boolean, boolean)}. */
    private final List<String> claimsInTurn;

    Queues(JdbcCalls db, SqlDialect dialect, Rows rows, Leases leases) {
        this.db = db;
        this.claimsInOneStatement = dialect.claimsInOneStatement();
        this.sql = dialect.queues();
        this.claimsInTurn = List.of(sql.claimInTurn(false, false), sql.claimInTurn(true, false),
                sql.claimInTurn(false, true), sql.claimInTurn(true, true));
        this.locks = dialect.housekeeping();
        this.rows = rows;
        this.leases = leases;
    }

    /** The lock row of a queue: {@code queue:} and its name, or a digest of a name too long for the column. */
    static String lockName(String queue) {
        String name = "queue:" + queue;
        return name.length() <= 100 ? name : "queue#" + Digests.sha256Hex(queue);
    }

    void register(Collection<String> queues) {
        for (String queue : queues) {
            try {
                db.call(() -> db.jdbc.update(sql.insertLock(), new MapSqlParameterSource("name", lockName(queue))));
            }
            catch (DuplicateKeyException ex) {
                // another engine inserted it at the same moment
            }
        }
    }

    /** See {@link dev.agentsaga.spi.SagaStore#claimQueue}. */
    List<ClaimedSaga> claim(QueueClaim claim) {
        if (claim.workflows().isEmpty() || claim.limit() < 1) {
            return List.of();
        }
        SagaQueue queue = claim.queue();
        List<Object[]> pairs = claim.workflows().stream().map(k -> new Object[] { k.workflow(), k.version() })
                .toList();
        MapSqlParameterSource params = new MapSqlParameterSource("owner", claim.owner())
                .addValue("queue", queue.name()).addValue("workflows", pairs)
                .addValue("includeOwn", claim.includeOwn()).addValue("now", rows.time(claim.now()))
                .addValue("leaseUntil", rows.time(claim.leaseUntil()))
                .addValue("agedBefore", rows.time(claim.now().minus(queue.aging())));
        return db.inTransaction(() -> {
            if (db.jdbc.queryForList(locks.tryLock(), new MapSqlParameterSource("name", lockName(queue.name())),
                    String.class).isEmpty()) {
                return List.of();
            }
            if (claimsInOneStatement && queue.partitionConcurrency() == 0) {
                // counted and claimed in one statement
                return db.jdbc.query(claimInTurn(queue.globalConcurrency() > 0, queue.nodeConcurrency() > 0),
                        new MapSqlParameterSource(params.getValues()).addValue("room", claim.limit())
                                .addValue("globalLimit", queue.globalConcurrency())
                                .addValue("nodeLimit", queue.nodeConcurrency()), rows::claimed);
            }
            Running running = running(params, claim.owner());
            int room = claim.limit();
            if (queue.globalConcurrency() > 0) {
                room = Math.min(room, queue.globalConcurrency() - running.all());
            }
            if (queue.nodeConcurrency() > 0) {
                room = Math.min(room, queue.nodeConcurrency() - running.mine());
            }
            if (room <= 0) {
                return List.of();
            }
            int perPartition = queue.partitionConcurrency() > 0 ? queue.partitionConcurrency() : room;
            List<String> candidates = db.jdbc.query(sql.candidates(), new MapSqlParameterSource(
                    params.getValues()).addValue("perPartition", perPartition)
                    .addValue("window", room * CANDIDATE_WINDOW), (rs, n) -> rs.getString("id"));
            if (candidates.isEmpty()) {
                return List.of();
            }
            Map<String, Locked> locked = new HashMap<>();
            db.jdbc.query(sql.lockCandidates(), new MapSqlParameterSource(params.getValues())
                    .addValue("ids", candidates), rs -> {
                        locked.put(rs.getString("id"), new Locked(new Leases.Previous(rs.getString("previous_status"),
                                rs.getString("previous_owner"), rows.instant(rs, "previous_wake_at")),
                                rs.getString("partition_key")));
                    });
            Map<String, Leases.Previous> taken = new LinkedHashMap<>();
            for (String id : candidates) {
                Locked candidate = locked.get(id);
                if (candidate == null) {
                    continue;
                }
                if (queue.partitionConcurrency() > 0
                        && running.inPartition(candidate.partition()) >= queue.partitionConcurrency()) {
                    continue;
                }
                taken.put(id, candidate.before());
                running.add(candidate.partition());
                if (taken.size() == room) {
                    break;
                }
            }
            return leases.takeLocked(params, taken);
        });
    }

    private String claimInTurn(boolean global, boolean node) {
        return claimsInTurn.get((global ? 1 : 0) + (node ? 2 : 0));
    }

    List<QueueCount> counts(Collection<String> queues, Instant now) {
        if (queues.isEmpty()) {
            return List.of();
        }
        return db.call(() -> db.jdbc.query(sql.counts(), new MapSqlParameterSource("queues", List.copyOf(queues))
                .addValue("now", rows.time(now)), (rs, n) -> new QueueCount(rs.getString("queue_name"),
                        rs.getLong("running"), rs.getLong("waiting"))));
    }

    private Running running(MapSqlParameterSource params, String owner) {
        Running running = new Running(new HashMap<>(), new int[2]);
        db.jdbc.query(sql.running(), params, rs -> {
            running.add(rs.getString("partition_key"));
            if (owner.equals(rs.getString("owner"))) {
                running.counts()[1]++;
            }
        });
        return running;
    }

    /** A locked candidate: its status before the claim, and its partition. */
    private record Locked(Leases.Previous before, @Nullable String partition) {
    }

    /** The queue's sagas that hold a live lease: per partition key, in all ({@code [0]}) and this owner's ({@code [1]}). */
    private record Running(Map<String, Integer> perPartition, int[] counts) {

        private static final String NO_KEY = "\\u0000";

        void add(@Nullable String partition) {
            perPartition.merge(partition == null ? NO_KEY : partition, 1, Integer::sum);
            counts[0]++;
        }

        int inPartition(@Nullable String partition) {
            return perPartition.getOrDefault(partition == null ? NO_KEY : partition, 0);
        }

        int all() {
            return counts[0];
        }

        int mine() {
            return counts[1];
        }
    }
}
