package dev.agentsaga.store.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStoreException;

/**
 * MariaDB (10.6 or later) and MySQL (8.0 or later), with InnoDB tables: the statements of
 * {@link SqlDialect} except where these databases differ.
 * <ul>
 * <li>No {@code UPDATE ... RETURNING}: a claim is several statements in one transaction, as on H2 (candidates
 * read without locks, each locked by primary key with {@code FOR UPDATE SKIP LOCKED}, taken by id, read back).
 * The claim runs at {@code READ COMMITTED}: at InnoDB's default {@code REPEATABLE READ} a candidate that no
 * longer matches would stay locked until the claim commits.</li>
 * <li>No {@code FOR SHARE} on MariaDB: the fence of a journal write locks the saga's row
 * {@code LOCK IN SHARE MODE}, which both accept.</li>
 * <li>No {@code ON CONFLICT DO NOTHING}: an instance is inserted plainly and a duplicate key means it exists
 ({@code INSERT IGNORE} would also turn a value too long for its column into a truncated one).</li>
 * <li>The engine does not group the journal writes of concurrent sagas unless told to (see
 * {@link #groupsCommits()}); a group, when asked for, sends its appends one by one, in its one transaction (see
 * {@link #batchesAppends()}).</li>
 * <li>No time zone in a timestamp column: timestamps are {@code DATETIME(6)} in UTC, bound and read as
 * {@link LocalDateTime}, which neither driver shifts by the session's or the JVM's time zone.</li>
 * </ul>
 */
public final class MariaDbDialect extends SqlDialect {

    private static final Pattern MARIADB_VERSION = Pattern.compile("(\\d+)\\.(\\d+)[.\\d]*-MariaDB");

    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    public MariaDbDialect(String tablePrefix) {
        super(tablePrefix);
    }

    /**
     * Refuses the versions without {@code SKIP LOCKED}: MariaDB before 10.6 and MySQL before 8.0. A version
     * that cannot be read is let through.
     */
    static void requireSupported(String product, @Nullable String version) {
        if (version == null) {
            return;
        }
        Matcher mariadb = MARIADB_VERSION.matcher(version);
        boolean isMariaDb = mariadb.find() || "MariaDB".equalsIgnoreCase(product);
        Matcher found = mariadb.find(0) ? mariadb : VERSION.matcher(version);
        if (!found.find(0)) {
            return;
        }
        int major = Integer.parseInt(found.group(1));
        int minor = Integer.parseInt(found.group(2));
        boolean supported = isMariaDb ? major > 10 || (major == 10 && minor >= 6) : major >= 8;
        if (!supported) {
            throw new SagaStoreException("agent-saga's JDBC store needs " + (isMariaDb ? "MariaDB 10.6" : "MySQL 8.0")
                    + " or later (for SELECT ... FOR UPDATE SKIP LOCKED), but the data source is " + product + " "
                    + version + "; upgrade the database", null);
        }
    }

    @Override
    public boolean claimsInOneStatement() {
        return false;
    }

    /**
     * MariaDB Connector/J sends a batch of {@code INSERT}s with MariaDB's bulk command, which cannot run
     * an {@code INSERT ... SELECT} (error 1295).
     */
    @Override
    public boolean batchesAppends() {
        return false;
    }

    /**
     * No: InnoDB shares the log flush of concurrent commits by itself, and a group's writes go through one
     * connection one after the other where separate writes use several at once. Measured with the benchmark
     * harness on MariaDB 10.11, group commit took the engine's throughput down, to about a third with 8 sagas
     * in flight (docs/benchmarks.md).
     */
    @Override
    public boolean groupsCommits() {
        return false;
    }

    @Override
    public int claimIsolation() {
        return Connection.TRANSACTION_READ_COMMITTED;
    }

    @Override
    public Object timestamp(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    @Override
    public int timestampType() {
        return Types.TIMESTAMP;
    }

    @Override
    public @Nullable Instant instant(ResultSet row, String column) throws SQLException {
        LocalDateTime value = row.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    @Override
    public String insertInstance() {
        return """
                INSERT INTO %s (id, workflow, workflow_version, status, input, cancel_requested, owner, lease_epoch,
                                lease_expires_at, created_at, updated_at, parent_id, parent_step, forked_from,
                                fork_step, fork_overrides, queue, partition_key, priority)
                VALUES (:id, :workflow, :version, :status, :input, FALSE, :owner, 1, :leaseUntil, :now, :now,
                        :parentId, :parentStep, :forkedFrom, :forkStep, :forkOverrides, :queue, :partitionKey,
                        :priority)"""
                .formatted(instance);
    }

    /**
     * {@code INSERT IGNORE}: the one way to insert unless the row exists that reports 0 rows when it does. Its
     * truncation of values too long for a column cannot happen here: a rate key is at most 200 characters.
     */
    @Override
    public String insertRateWindow() {
        return """
                INSERT IGNORE INTO %s (rate_key, window_start, requests, tokens)
                VALUES (:key, :window, 0, 0)""".formatted(rateWindow);
    }

    @Override
    protected String leaseHeld() {
        return "EXISTS (SELECT 1 FROM %s WHERE id = :sagaId AND %s LOCK IN SHARE MODE)".formatted(instance, FENCE);
    }

    /** MySQL needs a table for a {@code SELECT} with a {@code WHERE}. */
    @Override
    protected String fromNoTable() {
        return " FROM DUAL";
    }
}
