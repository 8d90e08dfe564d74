package dev.agentsaga.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentsaga.Page;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.CompensationResult;
import dev.agentsaga.spi.CompensationStart;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.spi.WorkflowKey;

/**
 * The {@link SagaStore} on a JDBC {@link DataSource}. A method with one statement runs in auto-commit;
 * a method with several runs them in one transaction.
 */
public final class JdbcSagaStore implements SagaStore {

    private final NamedParameterJdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final SqlDialect sql;

    private final TransientRetry retry = TransientRetry.defaults();

    // the hot path's statements, built once rather than formatted on every call
    private final String insertInstance;

    private final String insertStep;

    private final String updateStep;

    private final String completeInstance;

    private final HotStatement append;

    private final HotStatement rewrite;

    private final HotStatement completion;

    /** How many times a lease renewal tries the rows it skipped because a journal write held them. */
    private static final int RENEWAL_PASSES = 3;

    private static final long RENEWAL_PAUSE_MILLIS = 5;

    /** How many candidates per claimed saga a claim in several statements looks at. */
    private static final int CANDIDATE_WINDOW = 4;

    /**
     * A store with the given table prefix, in the dialect of the data source's database (PostgreSQL or
     * H2, see {@link SqlDialect#forDataSource(DataSource, String)}); connects once to find it.
     */
    public JdbcSagaStore(DataSource dataSource, String tablePrefix) {
        this(dataSource, SqlDialect.forDataSource(Objects.requireNonNull(dataSource, "dataSource must not be null"),
                tablePrefix));
    }

    /** A store with the given dialect. */
    public JdbcSagaStore(DataSource dataSource, SqlDialect dialect) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.sql = Objects.requireNonNull(dialect, "dialect must not be null");
        this.insertInstance = dialect.insertInstance();
        this.insertStep = dialect.insertStep();
        this.updateStep = dialect.updateStep();
        this.completeInstance = dialect.completeInstance();
        this.append = HotStatement.of(insertStep);
        this.rewrite = HotStatement.of(updateStep);
        this.completion = HotStatement.of(completeInstance);
    }

    @Override
    public boolean createInstance(NewSaga saga) {
        return call(() -> jdbc.update(insertInstance, new MapSqlParameterSource()
                .addValue("id", saga.id())
                .addValue("workflow", saga.workflow())
                .addValue("version", saga.workflowVersion())
                .addValue("status", saga.owner() != null ? SagaStatus.RUNNING.name() : SagaStatus.PENDING.name())
                .addValue("input", saga.input())
                .addValue("owner", saga.owner())
                .addValue("leaseUntil", Rows.time(saga.owner() != null ? saga.leaseExpiresAt() : null))
                .addValue("now", Rows.time(saga.createdAt()))) == 1);
    }

    @Override
    public Optional<InstanceRecord> findInstance(String sagaId) {
        return call(() -> jdbc.query(sql.selectInstance(), Map.of("id", sagaId), Rows::instance).stream().findFirst());
    }

    @Override
    public List<StepRecord> loadJournal(String sagaId) {
        return call(() -> jdbc.query(sql.selectJournal(), Map.of("sagaId", sagaId), Rows::step));
    }

    /**
     * How far {@link #list} counts the matching sagas: a page's total is exact up to this many (or up to
     * the end of the page, when that is further) and beyond it a lower bound, so that a page costs the same
     * however many sagas match.
     */
    public static final int TOTAL_LIMIT = 10_000;

    /**
     * A page, then its total: none is counted when the page shows where the results end; otherwise the
     * matching sagas are counted up to {@link #TOTAL_LIMIT} or one past the end of the page, whichever is
     * further, and a count that reaches that limit is reported as a lower bound.
     */
    @Override
    public Page<SagaSummary> list(SagaQuery query) {
        ListStatements list = ListStatements.of(sql, query);
        return call(() -> {
            List<SagaSummary> items = jdbc.query(list.select(), list.params(), Rows::summary);
            if (items.size() < query.size() && (!items.isEmpty() || query.offset() == 0)) {
                // the results end on this page
                return new Page<>(items, query.page(), query.size(), query.offset() + items.size(), true);
            }
            Long counted = jdbc.queryForObject(list.count(), list.params(), Long.class);
            long total = counted == null ? 0 : counted;
            return total < list.countLimit() ? new Page<>(items, query.page(), query.size(), total, true)
                    : new Page<>(items, query.page(), query.size(), list.countLimit() - 1, false);
        });
    }

    /** The page query, the capped count and their parameters for one {@link #list} call. */
    record ListStatements(String select, String count, MapSqlParameterSource params, long countLimit) {

        static ListStatements of(SqlDialect sql, SagaQuery query) {
            MapSqlParameterSource params = new MapSqlParameterSource();
            List<String> conditions = new ArrayList<>();
            if (query.workflow() != null) {
                conditions.add("workflow = :workflow");
                params.addValue("workflow", query.workflow());
            }
            // every status is no filter; otherwise one branch per status, in a fixed order
            List<SagaStatus> statuses = query.statuses().size() == SagaStatus.values().length ? List.of()
                    : query.statuses().stream().sorted().toList();
            String select;
            if (statuses.isEmpty()) {
                select = sql.selectSummaries(where(conditions));
            }
            else {
                List<String> branches = new ArrayList<>();
                for (int i = 0; i < statuses.size(); i++) {
                    List<String> branch = new ArrayList<>(conditions);
                    branch.add("status = :status" + i);
                    branches.add(String.join(" AND ", branch));
                    params.addValue("status" + i, statuses.get(i).name());
                }
                select = sql.selectSummariesByStatus(branches);
                conditions.add("status IN (:statuses)");
                params.addValue("statuses", statuses.stream().map(Enum::name).toList());
            }
            long end = query.offset() + query.size();
            long countLimit = Math.max(TOTAL_LIMIT, end) + 1;
            params.addValue("limit", query.size()).addValue("offset", query.offset()).addValue("window", end)
                    .addValue("countLimit", countLimit);
            return new ListStatements(select, sql.countSummaries(where(conditions)), params, countLimit);
        }

        private static String where(List<String> conditions) {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }
    }

    @Override
    public boolean appendStep(Lease lease, StepRecord step) {
        return write(append, new JournalWrite.AppendStep(lease, step));
    }

    @Override
    public boolean updateStep(Lease lease, StepRecord step) {
        return write(rewrite, new JournalWrite.UpdateStep(lease, step));
    }

    @Override
    public boolean complete(Lease lease, String output, Instant now) {
        return write(completion, new JournalWrite.CompleteSaga(lease, output, now));
    }

    private boolean write(HotStatement statement, JournalWrite write) {
        return call(() -> jdbc.getJdbcTemplate().update(statement.sql, ps -> statement.bind(ps, write)) == 1);
    }

    /**
     * The writes of several sagas in one transaction: each kind of write runs as one JDBC batch (one round
     * trip with PgJDBC), and the transaction commits once. A lone write runs as the single-write method
     * would. The group holds the rows of several sagas until it commits; every other transaction
     * locks one saga's row at most, or skips locked rows ({@link #renewLeases}, claims), so none can wait
     * in a cycle with it.
     */
    @Override
    public boolean[] writeAll(List<JournalWrite> writes) {
        if (writes.size() <= 1) {
            return SagaStore.super.writeAll(writes);
        }
        List<Integer> appends = new ArrayList<>();
        List<Integer> updates = new ArrayList<>();
        List<Integer> completions = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            JournalWrite write = writes.get(i);
            (write instanceof JournalWrite.AppendStep ? appends
                    : write instanceof JournalWrite.UpdateStep ? updates : completions).add(i);
        }
        return inTransaction(() -> {
            boolean[] written = new boolean[writes.size()];
            batch(append, appends, writes, written);
            batch(rewrite, updates, writes, written);
            batch(completion, completions, writes, written);
            return written;
        });
    }

    private void batch(HotStatement statement, List<Integer> indices, List<JournalWrite> writes, boolean[] written) {
        if (indices.isEmpty()) {
            return;
        }
        int[] counts = jdbc.getJdbcTemplate().batchUpdate(statement.sql, new BatchPreparedStatementSetter() {

            @Override
            public void setValues(PreparedStatement ps, int k) throws SQLException {
                statement.bind(ps, writes.get(indices.get(k)));
            }

            @Override
            public int getBatchSize() {
                return indices.size();
            }
        });
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < 0) {
                // a driver that batches without row counts cannot tell a lost lease from a write
                throw new SagaStoreException("The JDBC driver reported no row count for a batched journal write ("
                        + counts[k] + "); the fenced writes need one. Turn group commit off "
                        + "(agent.saga.group-commit.enabled=false) for this driver", null);
            }
            written[indices.get(k)] = counts[k] == 1;
        }
    }

    @Override
    public boolean rest(Lease lease, SagaStatus status, @Nullable String error, @Nullable Integer errorStep,
            Instant now) {
        return call(() -> jdbc.update(sql.restInstance(), Rows.fenced(lease, new MapSqlParameterSource()
                .addValue("status", status.name()).addValue("error", error, java.sql.Types.VARCHAR)
                .addValue("errorStep", errorStep, java.sql.Types.INTEGER)
                .addValue("now", Rows.time(now)))) == 1);
    }

    @Override
    public boolean transition(String sagaId, Set<SagaStatus> from, SagaStatus to, @Nullable String error,
            Instant now) {
        return call(() -> jdbc.update(sql.transitionInstance(), transitionParams(sagaId, from, to, error, now)) == 1);
    }

    @Override
    public boolean resolve(StepRecord step, SagaStatus to, @Nullable String error, Instant now) {
        return inTransaction(() -> {
            int moved = jdbc.update(sql.transitionInstance(),
                    transitionParams(step.sagaId(), Set.of(SagaStatus.NEEDS_ATTENTION), to, error, now));
            if (moved == 1) {
                jdbc.update(sql.resolveStep(), Rows.stepParams(step));
            }
            return moved == 1;
        });
    }

    @Override
    public boolean startCompensation(Lease lease, CompensationStart start) {
        return inTransaction(() -> {
            SagaStatus status = start.firstSeq() != null ? SagaStatus.COMPENSATING
                    : start.somethingCompensated() ? SagaStatus.COMPENSATED : SagaStatus.FAILED;
            MapSqlParameterSource params = Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("status", status.name()).addValue("error", start.error(), java.sql.Types.VARCHAR)
                    .addValue("errorStep", start.errorStep(), java.sql.Types.INTEGER)
                    .addValue("now", Rows.time(start.now())));
            if (jdbc.update(status == SagaStatus.COMPENSATING ? sql.startCompensation() : sql.restInstance(),
                    params) != 1) {
                return false;
            }
            start.notes().forEach((seq, note) -> jdbc.update(sql.noteStep(), new MapSqlParameterSource()
                    .addValue("sagaId", start.sagaId()).addValue("seq", seq).addValue("note", note)));
            if (start.firstSeq() != null) {
                jdbc.update(sql.markStepCompensating(), new MapSqlParameterSource("sagaId", start.sagaId())
                        .addValue("seq", start.firstSeq()));
            }
            return true;
        });
    }

    @Override
    public boolean recordCompensation(Lease lease, CompensationResult result) {
        return inTransaction(() -> {
            if (jdbc.update(sql.touchLease(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("now", Rows.time(result.now())))) != 1) {
                return false;
            }
            boolean compensated = result.outcome() == dev.agentsaga.StepStatus.COMPENSATED;
            jdbc.update(sql.recordCompensation(), new MapSqlParameterSource("sagaId", result.sagaId())
                    .addValue("seq", result.seq()).addValue("status", result.outcome().name())
                    .addValue("attempts", result.attempts()).addValue("error", result.error(), java.sql.Types.VARCHAR)
                    .addValue("compensatedAt", compensated ? Rows.time(result.now()) : null,
                            java.sql.Types.TIMESTAMP_WITH_TIMEZONE));
            if (compensated && result.nextSeq() != null) {
                jdbc.update(sql.markStepCompensating(), new MapSqlParameterSource("sagaId", result.sagaId())
                        .addValue("seq", result.nextSeq()));
            }
            else {
                SagaStatus end = compensated ? SagaStatus.COMPENSATED : SagaStatus.COMPENSATION_FAILED;
                jdbc.update(sql.endCompensation(), Rows.fenced(lease, new MapSqlParameterSource()
                        .addValue("status", end.name())
                        .addValue("error", compensated ? null : "Compensation of step " + result.seq()
                                + " failed: " + result.error(), java.sql.Types.VARCHAR)
                        .addValue("now", Rows.time(result.now()))));
            }
            return true;
        });
    }

    @Override
    public boolean requestCancel(String sagaId, Instant now) {
        return call(() -> jdbc.update(sql.requestCancel(), new MapSqlParameterSource("id", sagaId)
                .addValue("now", Rows.time(now))) == 1);
    }

    @Override
    public boolean park(Lease lease, StepRecord waitStep, boolean insert, Instant wakeAt, Instant now,
            @Nullable String awaitedSignal) {
        return inTransaction(() -> {
            if (jdbc.update(sql.touchLease(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("now", Rows.time(now)))) != 1) {
                return false;
            }
            jdbc.update(insert ? insertStep : updateStep, Rows.fenced(lease, Rows.stepParams(waitStep)));
            jdbc.update(sql.parkInstance(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("wakeAt", Rows.time(wakeAt)).addValue("now", Rows.time(now))));
            if (awaitedSignal != null) {
                jdbc.update(sql.wakeIfSignalled(), new MapSqlParameterSource("id", waitStep.sagaId())
                        .addValue("name", awaitedSignal).addValue("now", Rows.time(now)));
            }
            return true;
        });
    }

    @Override
    public boolean release(Lease lease, Instant now) {
        return call(() -> jdbc.update(sql.releaseInstance(), Rows.fenced(lease, new MapSqlParameterSource()
                .addValue("now", Rows.time(now)))) == 1);
    }

    @Override
    public void deliverSignal(SignalRecord signal, Instant now) {
        inTransaction(() -> {
            // without the lock, a saga parking at this moment could miss both the signal and the wake-up
            jdbc.queryForList(sql.lockInstance(), Map.of("id", signal.sagaId()), String.class);
            jdbc.update(sql.insertSignal(), new MapSqlParameterSource("id", signal.id())
                    .addValue("sagaId", signal.sagaId()).addValue("name", signal.name())
                    .addValue("payload", signal.payload()).addValue("now", Rows.time(signal.createdAt())));
            jdbc.update(sql.wakeWaiting(), new MapSqlParameterSource("id", signal.sagaId())
                    .addValue("now", Rows.time(now)));
            return null;
        });
    }

    @Override
    public Optional<SignalRecord> findSignal(String sagaId, String name) {
        return call(() -> jdbc.query(sql.selectSignal(), Map.of("sagaId", sagaId, "name", name), Rows::signal)
                .stream().findFirst());
    }

    @Override
    public boolean consumeSignal(Lease lease, String signalId, StepRecord step, boolean insert) {
        return inTransaction(() -> {
            if (jdbc.update(sql.touchLease(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("now", Rows.time(step.finishedAt() != null ? step.finishedAt() : step.startedAt()))))
                    != 1) {
                return false;
            }
            int consumed = jdbc.update(sql.consumeSignal(), new MapSqlParameterSource("id", signalId)
                    .addValue("seq", step.seq()));
            if (consumed != 1) {
                throw new SagaStoreException("Signal " + signalId + " was consumed concurrently", step.sagaId(),
                        step.seq(), null);
            }
            jdbc.update(insert ? insertStep : updateStep, Rows.fenced(lease, Rows.stepParams(step)));
            return true;
        });
    }

    @Override
    public List<ClaimedSaga> claim(String owner, Collection<WorkflowKey> workflows, int limit, boolean includeOwn,
            Instant now, Instant leaseUntil) {
        if (workflows.isEmpty() || limit < 1) {
            return List.of();
        }
        List<Object[]> pairs = workflows.stream().map(k -> new Object[] { k.workflow(), k.version() }).toList();
        MapSqlParameterSource params = new MapSqlParameterSource("owner", owner)
                .addValue("workflows", pairs).addValue("limit", limit).addValue("includeOwn", includeOwn)
                .addValue("now", Rows.time(now)).addValue("leaseUntil", Rows.time(leaseUntil));
        if (sql.claimsInOneStatement()) {
            return call(() -> jdbc.query(sql.claim(), params, Rows::claimed));
        }
        return inTransaction(() -> claimInSteps(params, limit));
    }

    /**
     * A claim without {@code UPDATE ... RETURNING}, in one transaction: find candidates, lock up to
     * {@code limit} runnable and {@code limit} due ones one by one, take them by id, read them back.
     * The candidate window is larger than the limit so that claims of other engines, holding the first
     * candidates, are skipped rather than waited for.
     */
    private List<ClaimedSaga> claimInSteps(MapSqlParameterSource params, int limit) {
        MapSqlParameterSource search = new MapSqlParameterSource(params.getValues())
                .addValue("window", limit * CANDIDATE_WINDOW);
        Map<String, String> previous = new LinkedHashMap<>();
        lockCandidates(sql.claimRunnableCandidates(), sql.lockRunnable(), search, limit, previous);
        lockCandidates(sql.claimDueCandidates(), sql.lockDue(), search, limit, previous);
        if (previous.isEmpty()) {
            return List.of();
        }
        MapSqlParameterSource taken = new MapSqlParameterSource(params.getValues())
                .addValue("ids", List.copyOf(previous.keySet()));
        jdbc.update(sql.claimByIds(), taken);
        return jdbc.query(sql.selectInstances(), taken,
                (rs, n) -> Rows.claimed(Rows.instance(rs, n), previous.get(rs.getString("id"))));
    }

    private void lockCandidates(String candidates, String lock, MapSqlParameterSource search, int limit,
            Map<String, String> previous) {
        int locked = 0;
        for (String id : jdbc.queryForList(candidates, search, String.class)) {
            if (locked == limit) {
                return;
            }
            if (previous.containsKey(id)) {
                continue;
            }
            List<String> status = jdbc.query(lock, new MapSqlParameterSource(search.getValues()).addValue("id", id),
                    (rs, n) -> rs.getString("previous_status"));
            if (!status.isEmpty()) {
                previous.put(id, status.get(0));
                locked++;
            }
        }
    }

    /**
     * Renews in passes that skip rows another transaction holds (a journal write under way, which commits
     * within milliseconds): a renewal that waited for one row while holding the locks of others could
     * deadlock with a group of journal writes, which holds several sagas' rows (see {@link #writeAll}).
     * Rows still locked after the passes are renewed one at a time, waiting, holding a single lock.
     */
    @Override
    public int renewLeases(String owner, Collection<String> sagaIds, Instant leaseUntil) {
        Set<String> pending = new LinkedHashSet<>(sagaIds);
        int renewed = 0;
        for (int pass = 1; pass <= RENEWAL_PASSES && !pending.isEmpty(); pass++) {
            if (pass > 1) {
                pauseBetweenPasses();
            }
            MapSqlParameterSource params = renewal(owner, List.copyOf(pending), leaseUntil);
            List<String> locked = inTransaction(() -> {
                List<String> ids = jdbc.queryForList(sql.lockOwnedSkipLocked(), params, String.class);
                if (!ids.isEmpty()) {
                    jdbc.update(sql.renewLeases(), renewal(owner, ids, leaseUntil));
                }
                return ids;
            });
            renewed += locked.size();
            locked.forEach(pending::remove);
        }
        for (String id : pending) {
            // still locked, or no longer this owner's (then nothing is updated)
            renewed += call(() -> jdbc.update(sql.renewLeases(), renewal(owner, List.of(id), leaseUntil)));
        }
        return renewed;
    }

    private static MapSqlParameterSource renewal(String owner, List<String> ids, Instant leaseUntil) {
        return new MapSqlParameterSource("owner", owner).addValue("ids", ids).addValue("leaseUntil",
                Rows.time(leaseUntil));
    }

    private static void pauseBetweenPasses() {
        try {
            Thread.sleep(RENEWAL_PAUSE_MILLIS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void addReplayedTokens(String sagaId, long tokens) {
        call(() -> jdbc.update(sql.addReplayedTokens(), new MapSqlParameterSource("id", sagaId)
                .addValue("tokens", tokens)));
    }

    @Override
    public Set<String> cancelRequested(Collection<String> sagaIds) {
        if (sagaIds.isEmpty()) {
            return Set.of();
        }
        return call(() -> Set.copyOf(jdbc.queryForList(sql.cancelRequested(), Map.of("ids", List.copyOf(sagaIds)),
                String.class)));
    }

    @Override
    public List<VersionCount> unfinishedByVersion(Collection<String> workflows) {
        if (workflows.isEmpty()) {
            return List.of();
        }
        return call(() -> jdbc.query(sql.unfinishedByVersion(), Map.of("workflows", workflows),
                (rs, n) -> new VersionCount(rs.getString("workflow"), rs.getString("workflow_version"),
                        rs.getLong("n"))));
    }

    private static MapSqlParameterSource transitionParams(String sagaId, Set<SagaStatus> from, SagaStatus to,
            @Nullable String error, Instant now) {
        return new MapSqlParameterSource("id", sagaId).addValue("to", to.name())
                .addValue("from", from.stream().map(Enum::name).toList())
                .addValue("error", error, java.sql.Types.VARCHAR).addValue("now", Rows.time(now));
    }

    private <T> T inTransaction(Supplier<T> work) {
        return call(() -> transactions.execute(status -> work.get()));
    }

    private <T> T call(Supplier<T> work) {
        return retry.call(work);
    }
}
