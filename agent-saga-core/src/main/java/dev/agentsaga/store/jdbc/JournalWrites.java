package dev.agentsaga.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.PreparedStatementSetter;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.StepRecord;

/**
 * The hot-path writes of {@link JdbcSagaStore} (append, rewrite, complete): one alone in auto-commit, or
 * the writes of several sagas in one transaction, each kind as one JDBC batch (one round trip with
 * PgJDBC) and one commit for all. A group holds the rows of several sagas until it commits; every other
 * transaction locks one saga's row at most, or skips locked rows (lease renewal and claims, see
 * {@link Leases}), so none can wait in a cycle with it.
 * <p>
 * A fenced write that finds its lease lost changes no row, so a batch needs the count of each of its
 * writes. A driver that answers a batch without them ({@link java.sql.Statement#SUCCESS_NO_INFO}: MariaDB
 * Connector/J with {@code useBulkStmts=true}, for {@code UPDATE}s; PgJDBC's {@code reWriteBatchedInserts}
 * rewrites only {@code INSERT ... VALUES}, which no journal write is) has its group rolled back and run
 * again with that statement executed once per write, which always counts; the store remembers it and
 * runs that statement so from then on.
 */
final class JournalWrites {

    private static final Logger log = LoggerFactory.getLogger(JournalWrites.class);

    private final JdbcCalls db;

    private final HotStatement append;

    private final HotStatement rewrite;

    private final HotStatement completion;

    private final boolean batchesAppends;

    private final SqlDialect sql;

    private final Rows rows;

    /** The statements whose batches the driver answered without row counts: executed one by one. */
    private final Set<HotStatement> uncounted = ConcurrentHashMap.newKeySet();

    JournalWrites(JdbcCalls db, SqlDialect sql, Rows rows) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
        this.batchesAppends = sql.batchesAppends();
        this.append = HotStatement.of(sql.insertStep(), sql, rows.payloads());
        this.rewrite = HotStatement.of(sql.updateStep(), sql, rows.payloads());
        this.completion = HotStatement.of(sql.completeInstance(), sql, rows.payloads());
    }

    /**
     * One write, in auto-commit; false when its lease was lost. A retry first reads back whether the failed
     * attempt's commit reached the database after all (its acknowledgement lost with the connection): the
     * write is then done, where running it again would find its own entry (a duplicate key) or its own
     * completion (no row leased any more) and take them for another engine's.
     */
    boolean write(JournalWrite write) {
        boolean[] tried = { false };
        if (parentOf(write) != null) {
            // a child's completion and its parent's wake commit together
            return db.inTransaction(() -> {
                boolean again = tried[0];
                tried[0] = true;
                boolean written = again && landed(write) || apply(write);
                if (written) {
                    wakeParent(write);
                }
                return written;
            });
        }
        return db.call(() -> {
            boolean again = tried[0];
            tried[0] = true;
            return again && landed(write) || apply(write);
        });
    }

    /** One write on the current connection: in the caller's transaction when there is one, without retry. */
    boolean apply(JournalWrite write) {
        Bound bound = bound(write);
        return db.jdbc.getJdbcTemplate().update(bound.statement().sql, bound.setter()) == 1;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#writeAll}: a lone write runs as {@link #write} does. */
    boolean[] writeAll(List<JournalWrite> writes) {
        if (writes.size() <= 1) {
            return writes.isEmpty() ? new boolean[0] : new boolean[] { write(writes.get(0)) };
        }
        while (true) {
            try {
                return group(writes);
            }
            catch (RowCountsUnknown ex) {
                // rolled back, nothing of it written; each rerun counts one statement more (three at most)
                log.info("The JDBC driver answered a batch of journal writes without row counts; the statement "
                        + "'{} ...' runs once per write of a group from now on", ex.statement.sql.lines().findFirst()
                        .orElse("").strip());
            }
        }
    }

    /**
     * The writes in one transaction, each kind as one batch, or once per write where the driver cannot count
     * a batch.
     */
    private boolean[] group(List<JournalWrite> writes) {
        boolean[] tried = { false };
        return db.inTransaction(() -> {
            boolean again = tried[0];
            tried[0] = true;
            boolean[] written = new boolean[writes.size()];
            List<@Nullable Bound> bound = new ArrayList<>();
            for (int i = 0; i < writes.size(); i++) {
                // on a retry, the writes whose earlier commit landed are done (see write)
                written[i] = again && landed(writes.get(i));
                bound.add(written[i] ? null : bound(writes.get(i)));
            }
            for (HotStatement statement : List.of(append, rewrite, completion)) {
                batch(statement, bound, written);
            }
            for (int i = 0; i < writes.size(); i++) {
                if (written[i]) {
                    wakeParent(writes.get(i));
                }
            }
            return written;
        });
    }

    private static @Nullable String parentOf(JournalWrite write) {
        return write instanceof JournalWrite.CompleteSaga completion ? completion.parentId() : null;
    }

    /**
     * Wakes the parked parent of a child whose completion {@code write} is, in the completion's transaction. A
     * parent another transaction holds is left as it is, never waited for (this transaction holds child rows, a
     * wait could close a cycle): its own park reads the child once this completion commits, and a claim that
     * holds it is about to run it. The engine wakes the parent again once the completion committed.
     */
    private void wakeParent(JournalWrite write) {
        String parentId = parentOf(write);
        if (parentId == null) {
            return;
        }
        MapSqlParameterSource params = new MapSqlParameterSource("id", parentId)
                .addValue("now", rows.time(((JournalWrite.CompleteSaga) write).now()));
        if (!db.jdbc.queryForList(sql.lockParkedParent(), params, String.class).isEmpty()) {
            db.jdbc.update(sql.wakeParent(), params);
        }
    }

    /** The write with the statement that makes it: the one place where a write's kind becomes SQL. */
    private Bound bound(JournalWrite write) {
        if (write instanceof JournalWrite.AppendStep entry) {
            return new Bound(append, ps -> append.bind(ps, entry.lease(), entry.step()));
        }
        if (write instanceof JournalWrite.UpdateStep entry) {
            return new Bound(rewrite, ps -> rewrite.bind(ps, entry.lease(), entry.step()));
        }
        // JournalWrite is sealed: a completion is all that is left
        JournalWrite.CompleteSaga completion = (JournalWrite.CompleteSaga) write;
        return new Bound(this.completion, ps -> this.completion.bind(ps, completion.lease(), completion.output(),
                completion.now()));
    }

    /** Runs the writes of the group that {@code statement} makes as one batch, and records what each did. */
    private void batch(HotStatement statement, List<@Nullable Bound> writes, boolean[] written) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            Bound write = writes.get(i);
            if (write != null && write.statement() == statement) {
                indices.add(i);
            }
        }
        if (indices.isEmpty()) {
            return;
        }
        boolean batches = (statement != append || batchesAppends) && !uncounted.contains(statement);
        int[] counts = !batches ? oneByOne(statement, writes, indices)
                : db.jdbc.getJdbcTemplate().batchUpdate(statement.sql, new BatchPreparedStatementSetter() {

            @Override
            public void setValues(PreparedStatement ps, int k) throws SQLException {
                Objects.requireNonNull(writes.get(indices.get(k))).setter().setValues(ps);
            }

            @Override
            public int getBatchSize() {
                return indices.size();
            }
        });
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < 0 && !batches) {
                throw new SagaStoreException("The JDBC driver reported no row count (" + counts[k] + ") for a "
                        + "journal write executed alone; the fenced writes need one. Use a driver that reports "
                        + "row counts", null);
            }
            if (counts[k] < 0) {
                // without its count, a write that changed no row (its lease lost) looks like one that landed
                uncounted.add(statement);
                throw new RowCountsUnknown(statement);
            }
            written[indices.get(k)] = counts[k] == 1;
        }
    }

    /** Runs the writes {@code indices} with one prepared statement, one execution each, in the caller's transaction. */
    private int[] oneByOne(HotStatement statement, List<@Nullable Bound> writes, List<Integer> indices) {
        int[] counts = db.jdbc.getJdbcTemplate().execute(statement.sql, (PreparedStatement ps) -> {
            int[] each = new int[indices.size()];
            for (int k = 0; k < each.length; k++) {
                Objects.requireNonNull(writes.get(indices.get(k))).setter().setValues(ps);
                each[k] = ps.executeUpdate();
            }
            return each;
        });
        return counts == null ? new int[0] : counts;
    }

    /**
     * Whether the journal already holds what {@code write} writes: its entry with the same outcome, or the
     * saga completed with its output under its lease's epoch (a later engine's completion has a later one).
     * The rows are read opened, so a payload is compared with what was written, not with its ciphertext
     * (sealed again, it would differ: every seal takes a new IV).
     */
    private boolean landed(JournalWrite write) {
        if (write instanceof JournalWrite.StepWrite entry) {
            StepRecord mine = entry.step();
            List<StepRecord> found = db.jdbc.query(sql.selectStep(), new MapSqlParameterSource("sagaId",
                    mine.sagaId()).addValue("seq", mine.seq()), rows::step);
            return !found.isEmpty() && sameOutcome(found.get(0), mine);
        }
        JournalWrite.CompleteSaga completion = (JournalWrite.CompleteSaga) write;
        List<InstanceRecord> found = db.jdbc.query(sql.selectInstance(), new MapSqlParameterSource("id",
                completion.lease().sagaId()), rows::instance);
        return !found.isEmpty() && found.get(0).status() == SagaStatus.COMPLETED
                && found.get(0).leaseEpoch() == completion.lease().epoch()
                && completion.output().equals(found.get(0).output());
    }

    private static boolean sameOutcome(StepRecord found, StepRecord mine) {
        return found.name().equals(mine.name()) && found.status() == mine.status()
                && found.attempts() == mine.attempts() && Objects.equals(found.output(), mine.output())
                && Objects.equals(found.error(), mine.error());
    }

    /**
     * A batch answered without row counts ({@code SUCCESS_NO_INFO}): thrown out of the group's transaction to
     * roll it back.
     */
    private static final class RowCountsUnknown extends RuntimeException {

        private final transient HotStatement statement;

        RowCountsUnknown(HotStatement statement) {
            super(null, null, false, false);
            this.statement = statement;
        }
    }

    /** A write with the statement that makes it and the binding of its values. */
    private record Bound(HotStatement statement, PreparedStatementSetter setter) {
    }
}
