package dev.agentsaga.bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentsaga.store.jdbc.PostgresDialect;
import dev.agentsaga.store.jdbc.SqlDialect;

/** EXPLAIN ANALYZE of the engine's own SQL text (from its dialect), each in a rolled-back transaction. */
final class Explain {

    static final SqlDialect SQL = new PostgresDialect(BenchDatabase.PREFIX);

    private static final Pattern ROWS = Pattern.compile("rows=(\\d+) loops");

    private final NamedParameterJdbcTemplate jdbc;

    private final TransactionTemplate tx;

    private final Results results;

    private final List<String> plans;

    Explain(DataSource ds, Results results, List<String> plans) {
        this.jdbc = new NamedParameterJdbcTemplate(ds);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        this.results = results;
        this.plans = plans;
    }

    /** The parameters of the poller's claim for the benchmark's workflows. */
    static MapSqlParameterSource claimParams(int limit) {
        return claimParams(limit, List.<Object[]>of(new Object[] { Workloads.STEPS, "1" },
                new Object[] { Workloads.RECOVER, "1" }, new Object[] { Workloads.PARK, "1" },
                new Object[] { Workloads.HOLD, "1" }));
    }

    /** The parameters of a claim for the given (workflow, version) pairs. */
    static MapSqlParameterSource claimParams(int limit, List<Object[]> workflows) {
        Instant now = Instant.now();
        return new MapSqlParameterSource("owner", "bench-explain")
                .addValue("workflows", workflows)
                .addValue("limit", limit).addValue("includeOwn", false)
                .addValue("now", now.atOffset(ZoneOffset.UTC))
                .addValue("leaseUntil", now.plusSeconds(30).atOffset(ZoneOffset.UTC));
    }

    /** Explains {@code sql}, adds a line to the table (scans, rows they returned, time) and keeps the plan. */
    void plan(String bench, String name, String sql, MapSqlParameterSource params) {
        List<String> lines = tx.execute(status -> {
            status.setRollbackOnly();
            return jdbc.queryForList("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params, String.class);
        });
        List<String> scans = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String node = lines.get(i).strip().replaceFirst("^->\\s*", "");
            if (node.startsWith("Seq Scan") || node.startsWith("Index Scan") || node.startsWith("Index Only Scan")
                    || node.startsWith("Bitmap Index Scan")) {
                Matcher rows = ROWS.matcher(node);
                List<String> facts = new ArrayList<>();
                if (rows.find()) {
                    facts.add(rows.group(1) + " rows");
                }
                else if (node.contains("never executed")) {
                    facts.add("never executed");
                }
                // rows the scan read but a filter dropped
                for (int j = i + 1; j < lines.size() && j < i + 4; j++) {
                    String detail = lines.get(j).strip();
                    if (detail.startsWith("Rows Removed by Filter:")) {
                        facts.add(detail.substring("Rows Removed by Filter:".length()).strip() + " filtered out");
                    }
                }
                String scan = node.replaceAll("\\s*\\((actual|never).*", "")
                        .replace(" on " + BenchDatabase.PREFIX, " on ").replace(" using " + BenchDatabase.PREFIX, " using ");
                scans.add(scan + (facts.isEmpty() ? "" : " (" + String.join(", ", facts) + ")"));
            }
        }
        String execution = lines.stream().filter(l -> l.startsWith("Execution Time")).findFirst().orElse("")
                .replace("Execution Time: ", "");
        boolean seq = scans.stream().anyMatch(s -> s.startsWith("Seq Scan"));
        results.add(bench, "plan: " + name, seq ? "**sequential scan**" : "index scans", execution, "",
                String.join("; ", scans));
        plans.add("-- " + name + "\n" + sql + "\n" + String.join("\n", lines));
    }
}
