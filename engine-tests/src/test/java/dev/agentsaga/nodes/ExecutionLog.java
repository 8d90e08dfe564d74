package dev.agentsaga.nodes;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.ActionContext;
import dev.agentsaga.SagaAction;

/**
 * Every execution of a step, kept in a table of the test schema with the node that ran it and the workflow
 * version that node runs: what a test of several nodes reads to tell which node ran which saga's steps, and
 * whether a step ran twice, out of order, or under a key the journal does not have.
 */
final class ExecutionLog {

    private final JdbcTemplate jdbc;

    private final String instance;

    private final String step;

    private ExecutionLog(DataSource dataSource, String tablePrefix) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource must not be null"));
        this.instance = tablePrefix + "instance";
        this.step = tablePrefix + "step";
    }

    /** Creates the log's table in the data source's schema, next to the agent-saga tables under {@code tablePrefix}. */
    static ExecutionLog create(DataSource dataSource, String tablePrefix) {
        ExecutionLog log = new ExecutionLog(dataSource, tablePrefix);
        log.jdbc.execute("""
                CREATE TABLE test_execution (
                    id BIGSERIAL PRIMARY KEY,
                    saga_id VARCHAR(200) NOT NULL,
                    step INT NOT NULL,
                    idempotency_key VARCHAR(300) NOT NULL,
                    action VARCHAR(200) NOT NULL,
                    node VARCHAR(200) NOT NULL,
                    node_version VARCHAR(100) NOT NULL)""");
        return log;
    }

    /** An action named {@code name} that answers {@code name(input)} and logs each execution as {@code node}'s. */
    SagaAction<String, String> action(String name, String node, String nodeVersion) {
        return new Logged(name, node, nodeVersion, this);
    }

    /** The nodes that executed steps of the sagas of {@code version}. */
    Set<String> nodesThatRan(String version) {
        return new TreeSet<>(jdbc.queryForList("""
                SELECT DISTINCT e.node FROM test_execution e JOIN %s i ON i.id = e.saga_id
                WHERE i.workflow_version = ?""".formatted(instance), String.class, version));
    }

    /** How many steps a node executed for a saga of another version than the one it runs. */
    long ranByAnotherVersion() {
        return count("""
                SELECT COUNT(*) FROM test_execution e JOIN %s i ON i.id = e.saga_id
                WHERE i.workflow_version <> e.node_version""".formatted(instance));
    }

    /**
     * Executions that should not have happened: a second one under a key, and any under a key that no
     * succeeded journal entry of that action has.
     */
    long doubled() {
        long again = count("SELECT COUNT(*) - COUNT(DISTINCT idempotency_key) FROM test_execution");
        long unjournaled = count("""
                SELECT COUNT(*) FROM test_execution e
                WHERE NOT EXISTS (SELECT 1 FROM %s s WHERE s.saga_id || ':' || s.seq = e.idempotency_key
                                  AND s.name = e.action AND s.status = 'SUCCEEDED')""".formatted(step));
        return again + unjournaled;
    }

    /**
     * The sagas whose journal is not their version's script step by step, or whose steps were executed in
     * another order than the journal's.
     */
    long misordered(Map<String, List<String>> scriptByVersion) {
        Set<String> misordered = new TreeSet<>(jdbc.queryForList("""
                SELECT DISTINCT saga_id FROM (
                    SELECT saga_id, step, LAG(step) OVER (PARTITION BY saga_id ORDER BY id) AS previous
                    FROM test_execution) e
                WHERE previous >= step""", String.class));
        jdbc.query("""
                SELECT i.id, i.workflow_version, STRING_AGG(s.name, ',' ORDER BY s.seq) AS names,
                       COUNT(s.seq) AS steps, COALESCE(MAX(s.seq), 0) AS last
                FROM %s i LEFT JOIN %s s ON s.saga_id = i.id
                GROUP BY i.id, i.workflow_version""".formatted(instance, step), rs -> {
            List<String> script = scriptByVersion.get(rs.getString("workflow_version"));
            String names = rs.getString("names");
            if (script == null || !String.join(",", script).equals(names) || rs.getInt("steps") != rs.getInt("last")) {
                misordered.add(rs.getString("id"));
            }
        });
        return misordered.size();
    }

    private long count(String sql) {
        Long count = jdbc.queryForObject(sql, Long.class);
        return count == null ? 0 : count;
    }

    private void record(ActionContext ctx, String action, String node, String nodeVersion) {
        jdbc.update("""
                INSERT INTO test_execution (saga_id, step, idempotency_key, action, node, node_version)
                VALUES (?, ?, ?, ?, ?, ?)""", ctx.sagaId(), ctx.step(), ctx.idempotencyKey(), action, node,
                nodeVersion);
    }

    /** A compensable action without effects of its own to undo: it only logs its executions. */
    private record Logged(String name, String node, String nodeVersion, ExecutionLog log)
            implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            log.record(ctx, name, node, nodeVersion);
            return name + "(" + input + ")";
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }
}
