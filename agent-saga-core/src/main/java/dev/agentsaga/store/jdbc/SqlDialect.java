package dev.agentsaga.store.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStoreException;

/**
 * The SQL of the JDBC store for one database, with the table prefix applied once. Statements use named
 * parameters; values are never concatenated. Statements a database writes differently are methods a
 * dialect overrides.
 */
public class SqlDialect {

    protected final String instance;

    protected final String step;

    protected final String signal;

    private final String lock;

    protected final String rateWindow;

    private final HousekeepingStatements housekeeping;

    /** The condition every write of a running saga carries: the writer still holds the lease it had. */
    protected static final String FENCE = "owner = :owner AND lease_epoch = :epoch";

    protected SqlDialect(String tablePrefix) {
        if (!tablePrefix.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("table prefix must be letters, digits and underscores, was '"
                    + tablePrefix + "'");
        }
        this.instance = tablePrefix + "instance";
        this.step = tablePrefix + "step";
        this.signal = tablePrefix + "signal";
        this.lock = tablePrefix + "lock";
        this.rateWindow = tablePrefix + "rate_window";
        this.housekeeping = new HousekeepingStatements(instance, step, signal, tablePrefix + "node", lock,
                tablePrefix + "schedule");
    }

    /**
     * The dialect of the database behind {@code dataSource}, by the product name its JDBC driver reports:
     * {@link PostgresDialect} for PostgreSQL, {@link H2Dialect} for H2, {@link MariaDbDialect} for MariaDB
     * (10.6 or later) and MySQL (8.0 or later).
     * @throws SagaStoreException when the database cannot be reached, is none of them, or is older than the
     * version named
     */
    public static SqlDialect forDataSource(DataSource dataSource, String tablePrefix) {
        String product;
        String version;
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData metaData = connection.getMetaData();
            product = metaData.getDatabaseProductName();
            version = metaData.getDatabaseProductVersion();
        }
        catch (SQLException ex) {
            throw new SagaStoreException("Could not connect to the database to find its SQL dialect: "
                    + ex.getMessage(), null, null, ex);
        }
        return forProduct(product, version, tablePrefix);
    }

    /** The dialect for a JDBC database product name; see {@link #forDataSource(DataSource, String)}. */
    static SqlDialect forProduct(String product, String version, String tablePrefix) {
        if ("PostgreSQL".equalsIgnoreCase(product)) {
            return new PostgresDialect(tablePrefix);
        }
        if ("H2".equalsIgnoreCase(product)) {
            return new H2Dialect(tablePrefix);
        }
        if ("MariaDB".equalsIgnoreCase(product) || "MySQL".equalsIgnoreCase(product)) {
            MariaDbDialect.requireSupported(product, version);
            return new MariaDbDialect(tablePrefix);
        }
        throw new SagaStoreException("agent-saga's JDBC store supports PostgreSQL, MariaDB, MySQL and H2, but the "
                + "data source is "
                + product + " " + version + "; use one of those, or pass a SqlDialect of your own to "
                + "JdbcSagaStore(DataSource, SqlDialect) and the store to AgentSaga.Builder.store(...)", null);
    }

    /**
     * Whether {@link #claim()} claims in one statement that returns the claimed rows (PostgreSQL's
     * {@code UPDATE ... FROM ... RETURNING}). When false, the store claims in one transaction of
     * several statements instead: {@link #claimRunnableCandidates()} and {@link #claimDueCandidates()}
     * find candidates, {@link #lockRunnable()} and {@link #lockDue()} lock them one by one (skipping those
     * another claim holds), {@link #claimByIds()} takes the locked ones, {@link #selectInstances()} reads
     * them back.
     */
    public boolean claimsInOneStatement() {
        return true;
    }

    /**
     * Whether the engine groups the journal writes of concurrent sagas into shared transactions unless told
     * otherwise (see {@code AgentSaga.Builder.groupCommit}): true where one commit for many writes saves
     * flushes that the database would not share by itself.
     */
    public boolean groupsCommits() {
        return true;
    }

    /**
     * Whether a group of journal writes sends its appends ({@link #insertStep()}) as one JDBC batch; when
     * false, one execution each, in the same transaction.
     */
    public boolean batchesAppends() {
        return true;
    }

    /**
     * The isolation of the claim's transaction when it claims in several statements (a
     * {@link Connection}{@code .TRANSACTION_*} level), or {@link Connection#TRANSACTION_NONE} for the
     * connection's own.
     */
    public int claimIsolation() {
        return Connection.TRANSACTION_NONE;
    }

    /** The value a statement binds for an instant: an {@link OffsetDateTime} in UTC. */
    public Object timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** The JDBC type of {@link #timestamp(Instant)}'s values, and of a null timestamp. */
    public int timestampType() {
        return Types.TIMESTAMP_WITH_TIMEZONE;
    }

    /** The instant in a timestamp column, or null. */
    public @Nullable Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /**
     * Inserts an instance unless its id exists: nothing is inserted then, or (where the database has no
     * such clause) the insert fails as a duplicate key, which the store also takes as "exists".
     */
    public String insertInstance() {
        return """
                INSERT INTO %s (id, workflow, workflow_version, status, input, cancel_requested, owner, lease_epoch,
                                lease_expires_at, created_at, updated_at, parent_id, parent_step, forked_from,
                                fork_step, fork_overrides, queue, partition_key, priority)
                VALUES (:id, :workflow, :version, :status, :input, FALSE, :owner, 1, :leaseUntil, :now, :now,
                        :parentId, :parentStep, :forkedFrom, :forkStep, :forkOverrides, :queue, :partitionKey,
                        :priority)
                ON CONFLICT DO NOTHING""".formatted(instance);
    }

    public String selectInstance() {
        return "SELECT * FROM %s WHERE id = :id".formatted(instance);
    }

    /** The children of a saga, in the order of the steps that started them. */
    public String selectChildren() {
        return "SELECT * FROM %s WHERE parent_id = :parentId ORDER BY parent_step, id".formatted(instance);
    }

    /** A child that rested wakes its parent if the parent is parked (waiting, or compensating and waiting). */
    public String wakeParent() {
        return """
                UPDATE %s SET wake_at = :now, updated_at = :now
                WHERE id = :id AND wake_at IS NOT NULL AND status IN ('WAITING', 'COMPENSATING')"""
                .formatted(instance);
    }

    /**
     * Locks parent {@code :id} when it is parked, unless another transaction holds it: its own park, which reads
     * the child after the child's completion commits, or a claim that takes it now.
     */
    public String lockParkedParent() {
        return """
                SELECT id FROM %s
                WHERE id = :id AND wake_at IS NOT NULL AND status IN ('WAITING', 'COMPENSATING')
                FOR UPDATE SKIP LOCKED""".formatted(instance);
    }

    /** Releases a compensating saga until {@code :wakeAt}: the claim takes it when that time has come. */
    public String parkCompensation() {
        return """
                UPDATE %s SET wake_at = :wakeAt, owner = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE id = :id AND status = 'COMPENSATING' AND %s""".formatted(instance, FENCE);
    }

    public String selectStep() {
        return "SELECT * FROM %s WHERE saga_id = :sagaId AND seq = :seq".formatted(step);
    }

    public String selectJournal() {
        return "SELECT * FROM %s WHERE saga_id = :sagaId ORDER BY seq".formatted(step);
    }

    private static final String SUMMARY = "id, workflow, workflow_version, status, error, created_at, updated_at";

    /**
     * The page query without a status condition, newest first (the {@code created_at} index);
     * {@code where} is empty or built from fixed fragments by the store.
     */
    public String selectSummaries(String where) {
        return """
                SELECT %s FROM %s%s
                ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset""".formatted(SUMMARY, instance, where);
    }

    /**
     * The page query of one or more statuses, newest first. Each of {@code conditions} (fixed fragments
     * built by the store) keeps one status, {@code status = :statusN}, and is read backwards on the
     * {@code (status, created_at, id)} index. Several are merged: each branch stops at {@code :window},
     * the end of the page, where one {@code status IN (...)} would read every saga of those statuses and
     * sort them. The constant {@code status} leads each order so that H2, too, reads the index in order;
     * each branch is a derived table because H2 keeps the first {@code LIMIT} parameter of a parenthesised
     * {@code UNION} branch when the statement runs again with another value.
     */
    public String selectSummariesByStatus(List<String> conditions) {
        String order = "ORDER BY status DESC, created_at DESC, id DESC";
        if (conditions.size() == 1) {
            return "SELECT %s FROM %s WHERE %s\n%s LIMIT :limit OFFSET :offset"
                    .formatted(SUMMARY, instance, conditions.get(0), order);
        }
        List<String> branches = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            branches.add("SELECT * FROM (SELECT %s FROM %s WHERE %s\n  %s LIMIT :window) AS status%d"
                    .formatted(SUMMARY, instance, conditions.get(i), order, i));
        }
        return "SELECT * FROM (\n" + String.join("\nUNION ALL\n", branches)
                + "\n) AS merged ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset";
    }

    /** The number of sagas that match {@code where}, counted up to {@code :countLimit}. */
    public String countSummaries(String where) {
        return "SELECT COUNT(*) FROM (SELECT 1 FROM %s%s LIMIT :countLimit) AS counted".formatted(instance, where);
    }

    /** The lease check of a journal write: holds a share lock on the saga's row, so a claim waits for the write. */
    protected String leaseHeld() {
        return "EXISTS (SELECT 1 FROM %s WHERE id = :sagaId AND %s FOR SHARE)".formatted(instance, FENCE);
    }

    /**
     * Appends a journal entry, fenced: nothing is inserted when the lease was lost. An {@code INSERT ... SELECT},
     * which PgJDBC's {@code reWriteBatchedInserts} does not rewrite into a multi-row insert: a batch of appends
     * keeps the row count of each.
     */
    public String insertStep() {
        return """
                INSERT INTO %s (saga_id, seq, name, kind, reversibility, status, input, output, error, attempts,
                                started_at, finished_at, compensation_attempts, resolution, note, fingerprint,
                                input_tokens, output_tokens)
                SELECT :sagaId, :seq, :name, :kind, :reversibility, :status, :input, :output, :error, :attempts,
                       :startedAt, :finishedAt, 0, :resolution, :note, :fingerprint, :inputTokens, :outputTokens%s
                WHERE %s""".formatted(step, fromNoTable(), leaseHeld());
    }

    /** Inserts a journal entry a fork inherits: its saga is new and unowned, so nothing fences the insert. */
    public String insertInheritedStep() {
        return """
                INSERT INTO %s (saga_id, seq, name, kind, reversibility, status, input, output, error, attempts,
                                started_at, finished_at, compensation_attempts, resolution, note, fingerprint,
                                input_tokens, output_tokens)
                VALUES (:sagaId, :seq, :name, :kind, :reversibility, :status, :input, :output, :error, :attempts,
                        :startedAt, :finishedAt, 0, :resolution, :note, :fingerprint, :inputTokens, :outputTokens)"""
                .formatted(step);
    }

    /** What a {@code SELECT} of values only, with a {@code WHERE}, names as its table: nothing, or {@code FROM DUAL}. */
    protected String fromNoTable() {
        return "";
    }

    /** Rewrites a journal entry's outcome, fenced. */
    public String updateStep() {
        return resolveStep() + " AND " + leaseHeld();
    }

    /** Rewrites a journal entry's outcome on an operator's decision (the saga is not running). */
    public String resolveStep() {
        return """
                UPDATE %s SET status = :status, output = :output, error = :error, attempts = :attempts,
                              finished_at = :finishedAt, resolution = :resolution, note = :note,
                              fingerprint = :fingerprint, input_tokens = :inputTokens, output_tokens = :outputTokens
                WHERE saga_id = :sagaId AND seq = :seq""".formatted(step);
    }

    /** Takes the saga's row lock if the lease is held: the first statement of a fenced transaction. */
    public String touchLease() {
        return "UPDATE %s SET updated_at = :now WHERE id = :id AND %s".formatted(instance, FENCE);
    }

    public String completeInstance() {
        return """
                UPDATE %s SET status = 'COMPLETED', output = :output, error = NULL, error_step = NULL, owner = NULL,
                              lease_expires_at = NULL, wake_at = NULL, updated_at = :now
                WHERE id = :id AND %s""".formatted(instance, FENCE);
    }

    public String restInstance() {
        return """
                UPDATE %s SET status = :status, error = COALESCE(:error, error),
                              error_step = COALESCE(:errorStep, error_step), owner = NULL, lease_expires_at = NULL,
                              updated_at = :now
                WHERE id = :id AND %s""".formatted(instance, FENCE);
    }

    /**
     * An operator's move (or a parent's, on its child): the saga's recoveries without progress start again from
     * none. A saga moved to COMPENSATING is due now ({@code wake_at}), so that its claim is not taken for a
     * recovery.
     */
    public String transitionInstance() {
        return """
                UPDATE %s SET status = :to, error = COALESCE(:error, error), owner = NULL, lease_expires_at = NULL,
                              wake_at = :wakeAt, recovered_from = NULL,
                              recovery_mark = NULL, updated_at = :now
                WHERE id = :id AND status IN (:from)""".formatted(instance);
    }

    /** Records a recovery of the saga by the run that holds its lease; see {@code SagaStore.recordRecovery}. */
    public String recordRecovery() {
        return "UPDATE %s SET recovered_from = :recoveredFrom, recovery_mark = :mark WHERE id = :id AND %s"
                .formatted(instance, FENCE);
    }

    public String startCompensation() {
        return """
                UPDATE %s SET status = :status, error = COALESCE(:error, error),
                              error_step = COALESCE(:errorStep, error_step), updated_at = :now
                WHERE id = :id AND %s""".formatted(instance, FENCE);
    }

    public String noteStep() {
        return "UPDATE %s SET note = :note WHERE saga_id = :sagaId AND seq = :seq".formatted(step);
    }

    public String markStepCompensating() {
        return "UPDATE %s SET status = 'COMPENSATING' WHERE saga_id = :sagaId AND seq = :seq".formatted(step);
    }

    public String recordCompensation() {
        return """
                UPDATE %s SET status = :status, compensation_attempts = compensation_attempts + :attempts,
                              compensation_error = :error, compensated_at = :compensatedAt
                WHERE saga_id = :sagaId AND seq = :seq""".formatted(step);
    }

    public String endCompensation() {
        return """
                UPDATE %s SET status = :status, error = COALESCE(:error, error), owner = NULL, lease_expires_at = NULL,
                              updated_at = :now
                WHERE id = :id AND %s""".formatted(instance, FENCE);
    }

    public String requestCancel() {
        return """
                UPDATE %s SET cancel_requested = TRUE, updated_at = :now
                WHERE id = :id AND status NOT IN ('COMPLETED', 'COMPENSATED', 'FAILED')""".formatted(instance);
    }

    public String parkInstance() {
        return """
                UPDATE %s SET status = 'WAITING', wake_at = :wakeAt, owner = NULL, lease_expires_at = NULL,
                              updated_at = :now
                WHERE id = :id AND %s""".formatted(instance, FENCE);
    }

    public String releaseInstance() {
        return "UPDATE %s SET owner = NULL, lease_expires_at = NULL, updated_at = :now WHERE id = :id AND %s"
                .formatted(instance, FENCE);
    }

    /**
     * Locks the saga's row and reads its status, so that delivering a signal takes turns with parking on it
     * and with finishing (after which, and after an erasure, no signal is stored), and so that a re-encryption
     * of the saga's payloads and its journal writes do.
     */
    public String lockInstance() {
        return "SELECT status FROM %s WHERE id = :id FOR UPDATE".formatted(instance);
    }

    public String insertSignal() {
        return """
                INSERT INTO %s (id, saga_id, name, payload, created_at)
                VALUES (:id, :sagaId, :name, :payload, :now)""".formatted(signal);
    }

    public String wakeWaiting() {
        return "UPDATE %s SET wake_at = :now, updated_at = :now WHERE id = :id AND status = 'WAITING'"
                .formatted(instance);
    }

    public String wakeIfSignalled() {
        return """
                UPDATE %s SET wake_at = :now
                WHERE id = :id AND EXISTS (SELECT 1 FROM %s
                                           WHERE saga_id = :id AND name = :name AND consumed_seq IS NULL)"""
                .formatted(instance, signal);
    }

    public String selectSignal() {
        return """
                SELECT * FROM %s WHERE saga_id = :sagaId AND name = :name AND consumed_seq IS NULL
                ORDER BY created_at, id LIMIT 1""".formatted(signal);
    }

    public String consumeSignal() {
        return "UPDATE %s SET consumed_seq = :seq WHERE id = :id AND consumed_seq IS NULL".formatted(signal);
    }

    /**
     * Claims runnable sagas in one statement and returns the claimed rows with their previous status and owner:
     * up to {@code :limit} PENDING, RUNNING or COMPENSATING ones that are unowned, expired, or (when
     * {@code :includeOwn}) owned by {@code :owner}; and up to {@code :limit} WAITING ones that are due,
     * in wake order. On PostgreSQL the runnable ones are read in update order from the partial index
     * {@code instance_runnable_ix}, whose predicate is this statement's status condition (keep the two the
     * same), so the scan stops at the limit instead of sorting every candidate, and the statistics
     * {@code instance_claim_stats} let the planner see how many candidates a backlog of one workflow holds;
     * the due ones from {@code instance_wake_ix}.
     */
    public String claim() {
        return """
                WITH runnable AS (
                    SELECT id, status AS previous_status, owner AS previous_owner, wake_at AS previous_wake_at FROM %1$s
                    WHERE status IN ('PENDING', 'RUNNING', 'COMPENSATING')
                      AND (owner IS NULL OR lease_expires_at < :now OR (owner = :owner AND :includeOwn))
                      AND (wake_at IS NULL OR wake_at <= :now)
                      AND (workflow, workflow_version) IN (:workflows)
                    ORDER BY updated_at
                    LIMIT :limit
                    FOR UPDATE SKIP LOCKED),
                due AS (
                    SELECT id, status AS previous_status, owner AS previous_owner, wake_at AS previous_wake_at FROM %1$s
                    WHERE status = 'WAITING' AND wake_at <= :now
                      AND (workflow, workflow_version) IN (:workflows)
                    ORDER BY wake_at
                    LIMIT :limit
                    FOR UPDATE SKIP LOCKED),
                picked AS (SELECT * FROM runnable UNION ALL SELECT * FROM due)
                %2$s""".formatted(instance, takePicked());
    }

    /**
     * Takes the sagas of the CTE {@code picked} (their id and their status, owner and wake time before) for
     * {@code :owner}, a new lease epoch each, and returns them with what they were before: the end of every claim
     * in one statement (of runnable sagas, and of a queue's in turn order).
     */
    String takePicked() {
        return """
                UPDATE %s AS saga SET owner = :owner, lease_epoch = saga.lease_epoch + 1,
                       lease_expires_at = :leaseUntil,
                       status = CASE WHEN picked.previous_status IN ('PENDING', 'WAITING') THEN 'RUNNING'
                                     ELSE picked.previous_status END,
                       wake_at = NULL, updated_at = :now
                FROM picked WHERE saga.id = picked.id
                RETURNING saga.*, picked.previous_status, picked.previous_owner, picked.previous_wake_at"""
                .formatted(instance);
    }

    /**
     * {@code statement}, a claim's, taking only sagas outside the configured queues {@code :excludedQueues},
     * which are claimed queue by queue under their limits ({@link QueueStatements}).
     */
    public static String outsideQueues(String statement) {
        return statement.replace("AND (workflow, workflow_version) IN (:workflows)",
                "AND (workflow, workflow_version) IN (:workflows)\n  AND (queue IS NULL OR queue NOT IN (:excludedQueues))");
    }

    /** Which sagas a claim may take as runnable; see {@link #claim()}. */
    protected static final String RUNNABLE = """
            status IN ('PENDING', 'RUNNING', 'COMPENSATING')
              AND (owner IS NULL OR lease_expires_at < :now OR (owner = :owner AND :includeOwn))
              AND (wake_at IS NULL OR wake_at <= :now)
              AND (workflow, workflow_version) IN (:workflows)""";

    /** Which sagas a claim may take as due; see {@link #claim()}. */
    protected static final String DUE = """
            status = 'WAITING' AND wake_at <= :now
              AND (workflow, workflow_version) IN (:workflows)""";

    /**
     * The runnable candidates of a claim in several statements, without locks: the ids of up to
     * {@code :window} sagas a claim may take as runnable, oldest update first.
     */
    public String claimRunnableCandidates() {
        return """
                SELECT id FROM %s
                WHERE %s
                ORDER BY updated_at
                LIMIT :window""".formatted(instance, RUNNABLE);
    }

    /** The due candidates of a claim in several statements, without locks: up to {@code :window}, in wake order. */
    public String claimDueCandidates() {
        return """
                SELECT id FROM %s
                WHERE %s
                ORDER BY wake_at
                LIMIT :window""".formatted(instance, DUE);
    }

    /**
     * Locks one runnable candidate {@code :id} if it is still runnable and no other transaction holds it,
     * returning its {@code previous_status} and {@code previous_owner}. One row per statement: H2 applies a
     * {@code LIMIT} before it skips locked rows, so a limited {@code SKIP LOCKED} query finds nothing while
     * another claim holds the first rows.
     */
    public String lockRunnable() {
        return """
                SELECT id, status AS previous_status, owner AS previous_owner, wake_at AS previous_wake_at FROM %s
                WHERE id = :id AND %s FOR UPDATE SKIP LOCKED""".formatted(instance, RUNNABLE);
    }

    /** Locks one due candidate {@code :id}, as {@link #lockRunnable()} does. */
    public String lockDue() {
        return """
                SELECT id, status AS previous_status, owner AS previous_owner, wake_at AS previous_wake_at FROM %s
                WHERE id = :id AND %s FOR UPDATE SKIP LOCKED""".formatted(instance, DUE);
    }

    /** Takes the sagas {@code :ids}, locked by {@link #lockRunnable()} and {@link #lockDue()} in the same transaction. */
    public String claimByIds() {
        return """
                UPDATE %s SET owner = :owner, lease_epoch = lease_epoch + 1, lease_expires_at = :leaseUntil,
                       status = CASE WHEN status IN ('PENDING', 'WAITING') THEN 'RUNNING' ELSE status END,
                       wake_at = NULL, updated_at = :now
                WHERE id IN (:ids)""".formatted(instance);
    }

    public String selectInstances() {
        return "SELECT * FROM %s WHERE id IN (:ids)".formatted(instance);
    }

    /**
     * Locks those of the sagas {@code :ids} that {@code :owner} holds, skipping rows another transaction
     * has locked (a journal write under way): a lease renewal never waits while it holds locks, so it
     * cannot deadlock with a group of journal writes that locks several sagas' rows.
     */
    public String lockOwnedSkipLocked() {
        return "SELECT id FROM %s WHERE owner = :owner AND id IN (:ids) FOR UPDATE SKIP LOCKED".formatted(instance);
    }

    /** Extends leases; see {@link #lockOwnedSkipLocked()}. */
    public String renewLeases() {
        return """
                UPDATE %s SET lease_expires_at = :leaseUntil
                WHERE owner = :owner AND id IN (:ids)""".formatted(instance);
    }

    /** Adds replayed model tokens to a saga's count: {@code saved_tokens} after a recovery, else {@code replayed_tokens}. */
    public String addReplayedTokens(boolean recovered) {
        String column = recovered ? "saved_tokens" : "replayed_tokens";
        return "UPDATE %s SET %s = %s + :tokens WHERE id = :id".formatted(instance, column, column);
    }

    public String cancelRequested() {
        return "SELECT id FROM %s WHERE id IN (:ids) AND cancel_requested".formatted(instance);
    }

    public String unfinishedByVersion() {
        return """
                SELECT workflow, workflow_version, COUNT(*) AS n FROM %s
                WHERE workflow IN (:workflows) AND status IN ('PENDING', 'RUNNING', 'WAITING', 'COMPENSATING')
                GROUP BY workflow, workflow_version""".formatted(instance);
    }

    /** Inserts the window {@code :window} of the rate key {@code :key}, empty, unless it exists. */
    public String insertRateWindow() {
        return """
                INSERT INTO %s (rate_key, window_start, requests, tokens) VALUES (:key, :window, 0, 0)
                ON CONFLICT DO NOTHING""".formatted(rateWindow);
    }

    /**
     * Takes one request and {@code :tokens} tokens of the window, in one statement, unless that passes
     * {@code :requestLimit} (when {@code requests}) or {@code :tokenLimit} (when {@code tokens}); the first request
     * of a window passes the token limit whatever it takes. 1 row updated: granted.
     */
    public String reserveRate(boolean requests, boolean tokens) {
        return """
                UPDATE %s SET requests = requests + 1, tokens = tokens + :tokens
                WHERE rate_key = :key AND window_start = :window%s%s""".formatted(rateWindow,
                requests ? "\n  AND requests + 1 <= :requestLimit" : "",
                tokens ? "\n  AND (requests = 0 OR tokens + :tokens <= :tokenLimit)" : "");
    }

    /** Adds {@code :tokens} (negative to take back) to a window's tokens. */
    public String addRateTokens() {
        return "UPDATE %s SET tokens = tokens + :tokens WHERE rate_key = :key AND window_start = :window"
                .formatted(rateWindow);
    }

    /** Forgets the windows of a rate key that started before {@code :before}. */
    public String deleteRateWindowsBefore() {
        return "DELETE FROM %s WHERE rate_key = :key AND window_start < :before".formatted(rateWindow);
    }

    /** The statements of the store's housekeeping, with this dialect's table names. */
    /** The statements of the claims of configured queues, with this dialect's table names and conditions. */
    QueueStatements queues() {
        return new QueueStatements(instance, lock, RUNNABLE, DUE, fromNoTable(), takePicked());
    }

    HousekeepingStatements housekeeping() {
        return housekeeping;
    }
}
