package dev.agentsaga.store.jdbc;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import dev.agentsaga.spi.NodeRecord;
import dev.agentsaga.spi.WorkflowKey;

/**
 * The nodes part of {@link JdbcSagaStore}: the {@code node} table, where each running engine records the
 * workflow versions it runs and its heartbeat. The versions are one text column, {@code name=version}
 * pairs joined by {@code &}, each part URL-encoded: readable in SQL, and any name or version fits.
 */
final class Nodes {

    private final JdbcCalls db;

    private final SqlDialect sql;

    private final Rows rows;

    Nodes(JdbcCalls db, SqlDialect sql, Rows rows) {
        this.db = db;
        this.sql = sql;
        this.rows = rows;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#registerNode}. */
    void register(String nodeId, Collection<WorkflowKey> workflows, Instant now, Instant forgetBefore) {
        MapSqlParameterSource params = new MapSqlParameterSource("id", nodeId)
                .addValue("workflows", encode(workflows)).addValue("now", rows.time(now))
                .addValue("before", rows.time(forgetBefore));
        db.inTransaction(() -> {
            db.jdbc.update(sql.housekeeping().deleteNodesNotSeenSince(), params);
            db.jdbc.update(sql.housekeeping().deleteNode(), params);
            return db.jdbc.update(sql.housekeeping().insertNode(), params);
        });
    }

    /** See {@link dev.agentsaga.spi.SagaStore#nodeSeen}. */
    boolean seen(String nodeId, Instant now) {
        return db.call(() -> db.jdbc.update(sql.housekeeping().touchNode(), new MapSqlParameterSource("id", nodeId)
                .addValue("now", rows.time(now)))) == 1;
    }

    /** See {@link dev.agentsaga.spi.SagaStore#removeNode}. */
    void remove(String nodeId) {
        db.call(() -> db.jdbc.update(sql.housekeeping().deleteNode(), new MapSqlParameterSource("id", nodeId)));
    }

    /** See {@link dev.agentsaga.spi.SagaStore#nodes}. */
    List<NodeRecord> all() {
        return db.call(() -> db.jdbc.query(sql.housekeeping().selectNodes(), (rs, n) -> new NodeRecord(rs.getString("id"),
                decode(rs.getString("workflows")), Objects.requireNonNull(sql.instant(rs, "started_at")),
                Objects.requireNonNull(sql.instant(rs, "seen_at")))));
    }

    static String encode(Collection<WorkflowKey> workflows) {
        return workflows.stream().map(key -> part(key.workflow()) + "=" + part(key.version()))
                .collect(Collectors.joining("&"));
    }

    static List<WorkflowKey> decode(String workflows) {
        List<WorkflowKey> keys = new ArrayList<>();
        if (workflows.isEmpty()) {
            return keys;
        }
        for (String pair : workflows.split("&")) {
            int equals = pair.indexOf('=');
            keys.add(new WorkflowKey(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8)));
        }
        return keys;
    }

    private static String part(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
