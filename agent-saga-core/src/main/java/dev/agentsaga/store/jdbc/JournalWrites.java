package dev.agentsaga.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.PreparedStatementSetter;

import dev.agentsaga.SagaStoreException;
import dev.agentsaga.spi.JournalWrite;

/**
 * The hot-path writes of {@link JdbcSagaStore} (append, rewrite, complete): one alone in auto-commit, or
 * the writes of several sagas in one transaction, each kind as one JDBC batch (one round trip with
 * PgJDBC) and one commit for all. A group holds the rows of several sagas until it commits; every other
 * transaction locks one saga's row at most, or skips locked rows (lease renewal and claims, see
 * {@link Leases}), so none can wait in a cycle with it.
 */
final class JournalWrites {

    private final JdbcCalls db;

    private final HotStatement append;

    private final HotStatement rewrite;

    private final HotStatement completion;

    private final boolean batchesAppends;

    JournalWrites(JdbcCalls db, SqlDialect sql) {
        this.db = db;
        this.batchesAppends = sql.batchesAppends();
        this.append = HotStatement.of(sql.insertStep(), sql);
        this.rewrite = HotStatement.of(sql.updateStep(), sql);
        this.completion = HotStatement.of(sql.completeInstance(), sql);
    }

    /** One write, in auto-commit; false when its lease was lost. */
    boolean write(JournalWrite write) {
        return db.call(() -> apply(write));
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
        List<Bound> bound = writes.stream().map(this::bound).toList();
        return db.inTransaction(() -> {
            boolean[] written = new boolean[bound.size()];
            for (HotStatement statement : List.of(append, rewrite, completion)) {
                batch(statement, bound, written);
            }
            return written;
        });
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
    private void batch(HotStatement statement, List<Bound> writes, boolean[] written) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i).statement() == statement) {
                indices.add(i);
            }
        }
        if (indices.isEmpty()) {
            return;
        }
        int[] counts = statement == append && !batchesAppends ? oneByOne(statement, writes, indices)
                : db.jdbc.getJdbcTemplate().batchUpdate(statement.sql, new BatchPreparedStatementSetter() {

            @Override
            public void setValues(PreparedStatement ps, int k) throws SQLException {
                writes.get(indices.get(k)).setter().setValues(ps);
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

    /** Runs the writes {@code indices} with one prepared statement, one execution each, in the caller's transaction. */
    private int[] oneByOne(HotStatement statement, List<Bound> writes, List<Integer> indices) {
        int[] counts = db.jdbc.getJdbcTemplate().execute(statement.sql, (PreparedStatement ps) -> {
            int[] each = new int[indices.size()];
            for (int k = 0; k < each.length; k++) {
                writes.get(indices.get(k)).setter().setValues(ps);
                each[k] = ps.executeUpdate();
            }
            return each;
        });
        return counts == null ? new int[0] : counts;
    }

    /** A write with the statement that makes it and the binding of its values. */
    private record Bound(HotStatement statement, PreparedStatementSetter setter) {
    }
}
