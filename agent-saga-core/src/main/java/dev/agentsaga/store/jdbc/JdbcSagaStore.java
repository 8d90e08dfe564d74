package dev.agentsaga.store.jdbc;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.util.ClassUtils;

import dev.agentsaga.EncryptionKeyException;
import dev.agentsaga.Page;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.CompensationResult;
import dev.agentsaga.spi.CompensationStart;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.NodeRecord;
import dev.agentsaga.spi.PayloadCipher;
import dev.agentsaga.spi.QueueClaim;
import dev.agentsaga.spi.RateReservation;
import dev.agentsaga.spi.RetentionBatch;
import dev.agentsaga.spi.SagaArchiver;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.ScheduleRecord;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.spi.WorkflowKey;

/**
 * The {@link SagaStore} on a JDBC {@link DataSource}. A method with one statement runs in auto-commit;
 * a method with several runs them in one transaction. The hot-path writes are {@link JournalWrites}, the
 * claims and lease renewals {@link Leases}. Payloads pass its {@link PayloadCipher} on the way in and out
 * ({@link PayloadColumns}): with an encrypting cipher the tables hold only ciphertext, and everything the
 * store returns is plaintext.
 */
public final class JdbcSagaStore implements SagaStore {

    private final JdbcCalls db;

    private final NamedParameterJdbcTemplate jdbc;

    private final SqlDialect sql;

    private final Rows rows;

    /** Built once rather than formatted on every {@code start}. */
    private final String insertInstance;

    private final JournalWrites journal;

    private final Leases leases;

    private final Nodes nodes;

    private final Schedules schedules;

    private final PayloadColumns payloads;

    private final Reencryption reencryption;

    private final Erasures erasures;

    private final Retention retention;

    private final Lineage lineage;

    private final Queues queues;

    private final RateWindows rateWindows;

    /** PostgreSQL's notifications, on PostgreSQL with its driver; null elsewhere. */
    private final @Nullable PostgresRestChannel restChannel;

    /**
     * A store with the given table prefix, in the dialect of the data source's database (PostgreSQL,
     * MariaDB, MySQL or H2, see {@link SqlDialect#forDataSource(DataSource, String)}); connects once to find it.
     */
    public JdbcSagaStore(DataSource dataSource, String tablePrefix) {
        this(dataSource, tablePrefix, PayloadCipher.none());
    }

    /** A store with the given table prefix, as above, whose payloads {@code cipher} seals and opens. */
    public JdbcSagaStore(DataSource dataSource, String tablePrefix, PayloadCipher cipher) {
        this(dataSource, SqlDialect.forDataSource(Objects.requireNonNull(dataSource, "dataSource must not be null"),
                tablePrefix), cipher);
    }

    /** A store with the given dialect, storing payloads as they are. */
    public JdbcSagaStore(DataSource dataSource, SqlDialect dialect) {
        this(dataSource, dialect, PayloadCipher.none());
    }

    /**
     * A store with the given dialect whose payloads {@code cipher} seals before they are written and opens
     * when they are read (see {@link dev.agentsaga.spi.AesGcmPayloadCipher}).
     */
    public JdbcSagaStore(DataSource dataSource, SqlDialect dialect, PayloadCipher cipher) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        this.sql = Objects.requireNonNull(dialect, "dialect must not be null");
        this.payloads = new PayloadColumns(Objects.requireNonNull(cipher, "cipher must not be null"));
        this.rows = new Rows(dialect, payloads);
        this.db = new JdbcCalls(dataSource);
        this.jdbc = db.jdbc;
        this.insertInstance = dialect.insertInstance();
        this.journal = new JournalWrites(db, dialect, rows);
        this.leases = new Leases(db, dialect, rows);
        this.nodes = new Nodes(db, dialect, rows);
        this.schedules = new Schedules(db, dialect, rows);
        this.reencryption = new Reencryption(db, dialect, cipher);
        this.erasures = new Erasures(db, dialect, rows, payloads);
        this.retention = new Retention(db, dialect, rows);
        this.lineage = new Lineage(db, dialect, rows, journal, this::insertInstance);
        this.queues = new Queues(db, dialect, rows, leases);
        this.rateWindows = new RateWindows(db, dialect, rows);
        this.restChannel = dialect instanceof PostgresDialect postgres
                // PostgreSQL's JDBC driver, which listens for notifications, on the class path
                && ClassUtils.isPresent("org.postgresql.PGConnection", JdbcSagaStore.class.getClassLoader())
                ? new PostgresRestChannel(dataSource, db, postgres.restChannel()) : null;
    }

    @Override
    public boolean createInstance(NewSaga saga) {
        return call(() -> insertInstance(saga));
    }

    private boolean insertInstance(NewSaga saga) {
        try {
            return jdbc.update(insertInstance, new MapSqlParameterSource()
                    .addValue("id", saga.id())
                    .addValue("workflow", saga.workflow())
                    .addValue("version", saga.workflowVersion())
                    .addValue("status", saga.owner() != null ? SagaStatus.RUNNING.name() : SagaStatus.PENDING.name())
                    .addValue("input", payloads.seal(saga.id(), saga.input()), java.sql.Types.VARCHAR)
                    .addValue("owner", saga.owner())
                    .addValue("leaseUntil", rows.time(saga.owner() != null ? saga.leaseExpiresAt() : null))
                    .addValue("now", rows.time(saga.createdAt()))
                    .addValue("parentId", saga.parentId(), java.sql.Types.VARCHAR)
                    .addValue("parentStep", saga.parentStep(), java.sql.Types.INTEGER)
                    .addValue("forkedFrom", saga.forkedFrom(), java.sql.Types.VARCHAR)
                    .addValue("forkStep", saga.forkStep(), java.sql.Types.INTEGER)
                    .addValue("forkOverrides", payloads.seal(saga.id(), saga.forkOverrides()),
                            java.sql.Types.VARCHAR)
                    .addValue("queue", saga.queue(), java.sql.Types.VARCHAR)
                    .addValue("partitionKey", saga.partitionKey(), java.sql.Types.VARCHAR)
                    .addValue("priority", saga.priority() == 0 ? null : saga.priority(), java.sql.Types.INTEGER))
                    == 1;
        }
        catch (DuplicateKeyException ex) {
            // a dialect without "insert unless it exists"
            return false;
        }
    }

    @Override
    public boolean startChild(JournalWrite.AppendStep start, NewSaga child) {
        return lineage.startChild(start, child);
    }

    @Override
    public List<InstanceRecord> children(String parentId) {
        return lineage.children(parentId);
    }

    @Override
    public void wakeParent(String parentId, Instant now) {
        lineage.wakeParent(parentId, now);
    }

    @Override
    public boolean parkOnChild(JournalWrite.StepWrite wait, String childId, Instant wakeAt, Instant now) {
        return lineage.parkOnChild(wait, childId, wakeAt, now);
    }

    @Override
    public boolean parkCompensation(Lease lease, String childId, Instant wakeAt, Instant now) {
        return lineage.parkCompensation(lease, childId, wakeAt, now);
    }

    @Override
    public boolean createFork(NewSaga fork, List<StepRecord> inherited) {
        return lineage.createFork(fork, inherited);
    }

    @Override
    public boolean announcesRests() {
        return restChannel != null;
    }

    @Override
    public void announceRests(Collection<String> sagaIds) {
        if (restChannel != null && !sagaIds.isEmpty()) {
            restChannel.announce(sagaIds);
        }
    }

    @Override
    public @Nullable AutoCloseable listenForRests(RestListener listener) {
        return restChannel == null ? null : restChannel.listen(listener, "agent-saga-rest-listener");
    }

    @Override
    public Optional<InstanceRecord> findInstance(String sagaId) {
        return call(() -> jdbc.query(sql.selectInstance(), Map.of("id", sagaId), rows::instance).stream().findFirst());
    }

    @Override
    public List<StepRecord> loadJournal(String sagaId) {
        return call(() -> jdbc.query(sql.selectJournal(), Map.of("sagaId", sagaId), rows::step));
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
            List<SagaSummary> items = jdbc.query(list.select(), list.params(), rows::summary);
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

    @Override
    public boolean write(JournalWrite write) {
        return journal.write(write);
    }

    /** See {@link JournalWrites#writeAll}. */
    @Override
    public boolean[] writeAll(List<JournalWrite> writes) {
        return journal.writeAll(writes);
    }

    @Override
    public boolean rest(Lease lease, SagaStatus status, @Nullable String error, @Nullable Integer errorStep,
            Instant now) {
        return call(() -> jdbc.update(sql.restInstance(), Rows.fenced(lease, new MapSqlParameterSource()
                .addValue("status", status.name())
                .addValue("error", payloads.seal(lease.sagaId(), error), java.sql.Types.VARCHAR)
                .addValue("errorStep", errorStep, java.sql.Types.INTEGER)
                .addValue("now", rows.time(now)))) == 1);
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
                jdbc.update(sql.resolveStep(), rows.stepParams(step));
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
                    .addValue("status", status.name())
                    .addValue("error", payloads.seal(start.sagaId(), start.error()), java.sql.Types.VARCHAR)
                    .addValue("errorStep", start.errorStep(), java.sql.Types.INTEGER)
                    .addValue("now", rows.time(start.now())));
            if (jdbc.update(status == SagaStatus.COMPENSATING ? sql.startCompensation() : sql.restInstance(),
                    params) != 1) {
                return false;
            }
            start.notes().forEach((seq, note) -> jdbc.update(sql.noteStep(), new MapSqlParameterSource()
                    .addValue("sagaId", start.sagaId()).addValue("seq", seq)
                    .addValue("note", payloads.seal(start.sagaId(), note), java.sql.Types.VARCHAR)));
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
                    .addValue("now", rows.time(result.now())))) != 1) {
                return false;
            }
            boolean compensated = result.outcome() == dev.agentsaga.StepStatus.COMPENSATED;
            jdbc.update(sql.recordCompensation(), new MapSqlParameterSource("sagaId", result.sagaId())
                    .addValue("seq", result.seq()).addValue("status", result.outcome().name())
                    .addValue("attempts", result.attempts())
                    .addValue("error", payloads.seal(result.sagaId(), result.error()), java.sql.Types.VARCHAR)
                    .addValue("compensatedAt", compensated ? rows.time(result.now()) : null,
                            sql.timestampType()));
            if (compensated && result.nextSeq() != null) {
                jdbc.update(sql.markStepCompensating(), new MapSqlParameterSource("sagaId", result.sagaId())
                        .addValue("seq", result.nextSeq()));
            }
            else {
                SagaStatus end = compensated ? SagaStatus.COMPENSATED : SagaStatus.COMPENSATION_FAILED;
                jdbc.update(sql.endCompensation(), Rows.fenced(lease, new MapSqlParameterSource()
                        .addValue("status", end.name())
                        .addValue("error", compensated ? null : payloads.seal(result.sagaId(), "Compensation of step "
                                + result.seq() + " failed: " + result.error()), java.sql.Types.VARCHAR)
                        .addValue("now", rows.time(result.now()))));
            }
            return true;
        });
    }

    @Override
    public boolean requestCancel(String sagaId, Instant now) {
        return call(() -> jdbc.update(sql.requestCancel(), new MapSqlParameterSource("id", sagaId)
                .addValue("now", rows.time(now))) == 1);
    }

    @Override
    public boolean park(JournalWrite.StepWrite wait, Instant wakeAt, Instant now, @Nullable String awaitedSignal) {
        Lease lease = wait.lease();
        return inTransaction(() -> {
            if (jdbc.update(sql.touchLease(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("now", rows.time(now)))) != 1) {
                return false;
            }
            journal.apply(wait);
            jdbc.update(sql.parkInstance(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("wakeAt", rows.time(wakeAt)).addValue("now", rows.time(now))));
            if (awaitedSignal != null) {
                jdbc.update(sql.wakeIfSignalled(), new MapSqlParameterSource("id", lease.sagaId())
                        .addValue("name", awaitedSignal).addValue("now", rows.time(now)));
            }
            return true;
        });
    }

    @Override
    public boolean recordRecovery(Lease lease, String recoveredFrom, long mark) {
        return call(() -> jdbc.update(sql.recordRecovery(), Rows.fenced(lease, new MapSqlParameterSource()
                .addValue("recoveredFrom", recoveredFrom).addValue("mark", mark))) == 1);
    }

    @Override
    public boolean release(Lease lease, Instant now) {
        return call(() -> jdbc.update(sql.releaseInstance(), Rows.fenced(lease, new MapSqlParameterSource()
                .addValue("now", rows.time(now)))) == 1);
    }

    @Override
    public boolean deliverSignal(SignalRecord signal, Instant now) {
        return inTransaction(() -> {
            // without the lock, a saga parking at this moment could miss both the signal and the wake-up, and a
            // saga finishing (or finished and erased) could be left a payload nothing reads or erases
            List<@Nullable String> status = jdbc.queryForList(sql.lockInstance(), Map.of("id", signal.sagaId()),
                    String.class);
            String current = status.isEmpty() ? null : status.get(0);
            if (current == null || SagaStatus.valueOf(current).isTerminal()) {
                return false;
            }
            jdbc.update(sql.insertSignal(), new MapSqlParameterSource("id", signal.id())
                    .addValue("sagaId", signal.sagaId()).addValue("name", signal.name())
                    .addValue("payload", payloads.seal(signal.sagaId(), signal.payload()), java.sql.Types.VARCHAR)
                    .addValue("now", rows.time(signal.createdAt())));
            jdbc.update(sql.wakeWaiting(), new MapSqlParameterSource("id", signal.sagaId())
                    .addValue("now", rows.time(now)));
            return true;
        });
    }

    @Override
    public Optional<SignalRecord> findSignal(String sagaId, String name) {
        return call(() -> jdbc.query(sql.selectSignal(), Map.of("sagaId", sagaId, "name", name), rows::signal)
                .stream().findFirst());
    }

    @Override
    public boolean consumeSignal(String signalId, JournalWrite.StepWrite received) {
        Lease lease = received.lease();
        StepRecord step = received.step();
        return inTransaction(() -> {
            if (jdbc.update(sql.touchLease(), Rows.fenced(lease, new MapSqlParameterSource()
                    .addValue("now", rows.time(step.finishedAt() != null ? step.finishedAt() : step.startedAt()))))
                    != 1) {
                return false;
            }
            int consumed = jdbc.update(sql.consumeSignal(), new MapSqlParameterSource("id", signalId)
                    .addValue("seq", step.seq()));
            if (consumed != 1) {
                throw new SagaStoreException("Signal " + signalId + " was consumed concurrently", step.sagaId(),
                        step.seq(), null);
            }
            journal.apply(received);
            return true;
        });
    }

    @Override
    public boolean erase(String sagaId, @Nullable String error, List<StepRecord> steps, Instant now) {
        return erasures.erase(sagaId, error, steps, now);
    }

    @Override
    public List<ClaimedSaga> claim(String owner, Collection<WorkflowKey> workflows, Collection<String> excludedQueues,
            int limit, boolean includeOwn, Instant now, Instant leaseUntil) {
        return leases.claim(owner, workflows, excludedQueues, limit, includeOwn, now, leaseUntil);
    }

    @Override
    public List<ClaimedSaga> claimQueue(QueueClaim claim) {
        return queues.claim(claim);
    }

    @Override
    public void registerQueues(Collection<String> queueNames) {
        queues.register(queueNames);
    }

    @Override
    public List<QueueCount> queueCounts(Collection<String> queueNames, Instant now) {
        return queues.counts(queueNames, now);
    }

    @Override
    public int renewLeases(String owner, Collection<String> sagaIds, Instant leaseUntil) {
        return leases.renew(owner, sagaIds, leaseUntil);
    }

    @Override
    public void addReplayedTokens(String sagaId, long tokens, boolean recovered) {
        call(() -> jdbc.update(sql.addReplayedTokens(recovered), new MapSqlParameterSource("id", sagaId)
                .addValue("tokens", tokens)));
    }

    @Override
    public boolean reserveRate(RateReservation reservation) {
        return rateWindows.reserve(reservation);
    }

    @Override
    public void addRateTokens(String key, Instant window, long tokens) {
        rateWindows.addTokens(key, window, tokens);
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

    @Override
    public List<VersionCount> unfinishedByVersion() {
        return call(() -> jdbc.query(sql.housekeeping().unfinishedByVersionOfAll(),
                (rs, n) -> new VersionCount(rs.getString("workflow"), rs.getString("workflow_version"),
                        rs.getLong("n"))));
    }

    @Override
    public void registerNode(String nodeId, Collection<WorkflowKey> workflows, Instant now, Instant forgetBefore) {
        nodes.register(nodeId, workflows, now, forgetBefore);
    }

    @Override
    public boolean nodeSeen(String nodeId, Instant now) {
        return nodes.seen(nodeId, now);
    }

    @Override
    public void removeNode(String nodeId) {
        nodes.remove(nodeId);
    }

    @Override
    public List<NodeRecord> nodes() {
        return nodes.all();
    }

    @Override
    public ScheduleRecord schedule(String name, Instant initialTick) {
        return schedules.find(name, initialTick);
    }

    @Override
    public boolean advanceSchedule(String name, Instant expected, Instant tick, String nodeId, Instant now) {
        return schedules.advance(name, expected, tick, nodeId, now);
    }

    @Override
    public List<ScheduleRecord> schedules() {
        return schedules.all();
    }

    /**
     * Re-encrypts under the cipher's current key the payloads of up to {@code batchSize} sagas, in id order
     * after {@code after} (null to begin with the first), that are not sealed under it: those written before
     * encryption was on and those under an older key. Each saga is rewritten in a transaction of its own,
     * holding its row's lock, so engines may run meanwhile. Call it again with the batch's {@code next}
     * until that is null; once it is, no payload needs an older key any more.
     * @throws EncryptionKeyException when a payload is sealed under a key the cipher does not have; the sagas
     *         before that one are re-encrypted, that one is left as it was
     */
    public ReencryptedBatch reencrypt(@Nullable String after, int batchSize) {
        return reencryption.run(after, batchSize);
    }

    @Override
    public RetentionBatch.@Nullable Deleted deleteFinished(RetentionBatch batch, @Nullable SagaArchiver archiver) {
        return retention.deleteFinished(batch, archiver);
    }

    private MapSqlParameterSource transitionParams(String sagaId, Set<SagaStatus> from, SagaStatus to,
            @Nullable String error, Instant now) {
        return new MapSqlParameterSource("id", sagaId).addValue("to", to.name())
                .addValue("from", from.stream().map(Enum::name).toList())
                .addValue("error", payloads.seal(sagaId, error), java.sql.Types.VARCHAR)
                .addValue("now", rows.time(now))
                // a saga moved to COMPENSATING is due now: its claim is a resume, not a recovery
                .addValue("wakeAt", to == SagaStatus.COMPENSATING ? rows.time(now) : null, sql.timestampType());
    }

    private <T> T inTransaction(Supplier<T> work) {
        return db.inTransaction(work);
    }

    private <T> T call(Supplier<T> work) {
        return db.call(work);
    }
}
