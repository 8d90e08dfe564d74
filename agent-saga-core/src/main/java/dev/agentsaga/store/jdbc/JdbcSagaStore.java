package dev.agentsaga.store.jdbc;

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
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
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

    @Override
    public Page<SagaSummary> list(SagaQuery query) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        List<String> conditions = new ArrayList<>();
        if (!query.statuses().isEmpty()) {
            conditions.add("status IN (:statuses)");
            params.addValue("statuses", query.statuses().stream().map(Enum::name).toList());
        }
        if (query.workflow() != null) {
            conditions.add("workflow = :workflow");
            params.addValue("workflow", query.workflow());
        }
        String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        params.addValue("limit", query.size()).addValue("offset", query.offset());
        return call(() -> {
            Long total = jdbc.queryForObject(sql.countInstances(where), params, Long.class);
            List<SagaSummary> items = jdbc.query(sql.selectSummaries(where), params, Rows::summary);
            return new Page<>(items, query.page(), query.size(), total == null ? 0 : total);
        });
    }

    @Override
    public boolean appendStep(Lease lease, StepRecord step) {
        return call(() -> jdbc.update(insertStep, Rows.fenced(lease, Rows.stepParams(step))) == 1);
    }

    @Override
    public boolean updateStep(Lease lease, StepRecord step) {
        return call(() -> jdbc.update(updateStep, Rows.fenced(lease, Rows.stepParams(step))) == 1);
    }

    @Override
    public boolean complete(Lease lease, String output, Instant now) {
        return call(() -> jdbc.update(completeInstance, completeParams(lease, output, now)) == 1);
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
        boolean oneKind = appends.size() == writes.size() || updates.size() == writes.size()
                || completions.size() == writes.size();
        if (oneKind && sql.batchIsOneTransaction()) {
            // one batch in auto-commit: one round trip, one implicit transaction, one commit
            boolean[] written = new boolean[writes.size()];
            String statement = !appends.isEmpty() ? insertStep : !updates.isEmpty() ? updateStep : completeInstance;
            call(() -> {
                batch(statement, java.util.stream.IntStream.range(0, writes.size()).boxed().toList(),
                        writes, written);
                return null;
            });
            return written;
        }
        return inTransaction(() -> {
            boolean[] written = new boolean[writes.size()];
            batch(insertStep, appends, writes, written);
            batch(updateStep, updates, writes, written);
            batch(completeInstance, completions, writes, written);
            return written;
        });
    }

    private void batch(String statement, List<Integer> indices, List<JournalWrite> writes, boolean[] written) {
        if (indices.isEmpty()) {
            return;
        }
        SqlParameterSource[] params = new SqlParameterSource[indices.size()];
        for (int k = 0; k < params.length; k++) {
            params[k] = params(writes.get(indices.get(k)));
        }
        int[] counts = jdbc.batchUpdate(statement, params);
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

    private static SqlParameterSource params(JournalWrite write) {
        if (write instanceof JournalWrite.AppendStep append) {
            return Rows.fenced(append.lease(), Rows.stepParams(append.step()));
        }
        if (write instanceof JournalWrite.UpdateStep update) {
            return Rows.fenced(update.lease(), Rows.stepParams(update.step()));
        }
        JournalWrite.CompleteSaga complete = (JournalWrite.CompleteSaga) write;
        return completeParams(complete.lease(), complete.output(), complete.now());
    }

    private static MapSqlParameterSource completeParams(Lease lease, String output, Instant now) {
        return Rows.fenced(lease, new MapSqlParameterSource().addValue("output", output)
                .addValue("now", Rows.time(now)));
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
