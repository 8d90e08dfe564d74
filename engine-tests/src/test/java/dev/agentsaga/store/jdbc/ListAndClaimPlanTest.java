package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.test.TestDatabase;

/**
 * The plans PostgreSQL chooses for the store's list pages and claim on a loaded instance table: each
 * reads its index in the order it returns rows and stops at its limit, instead of reading every matching
 * saga and sorting. Asserted on {@code EXPLAIN (ANALYZE, FORMAT JSON)}: which index each scan uses, that
 * no Sort node is above it, and how many rows it returned.
 */
class ListAndClaimPlanTest {

    static final int SAGAS = 100_000;

    static final int EXPIRED = 5_000;

    static final String PREFIX = "agent_saga_";

    static TestDatabase schema;

    static NamedParameterJdbcTemplate jdbc;

    static final SqlDialect sql = new PostgresDialect(PREFIX);

    static final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void load() {
        schema = TestDatabase.postgresql(PREFIX);
        jdbc = new NamedParameterJdbcTemplate(schema.dataSource());
        // finished sagas, newest last: 98% COMPLETED, 1% NEEDS_ATTENTION, 1% COMPENSATED
        schema.jdbc().update("""
                INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, input, output,
                                                 cancel_requested, lease_epoch, created_at, updated_at)
                SELECT 'done-' || g, 'trip', '1',
                       CASE g % 100 WHEN 0 THEN 'NEEDS_ATTENTION' WHEN 1 THEN 'COMPENSATED' ELSE 'COMPLETED' END,
                       '{"to":"Lisbon","nights":3}', '{"flight":"FL-1","hotel":"HT-1"}', FALSE, 1, now() - (? - g) * interval '1 second', now() - (? - g) * interval '1 second'
                FROM generate_series(1, ?) AS g""", SAGAS, SAGAS, SAGAS);
        // the RUNNING sagas of an engine that crashed, their leases expired, of a workflow of their own
        schema.jdbc().update("""
                INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, cancel_requested, owner,
                                                 lease_epoch, lease_expires_at, created_at, updated_at)
                SELECT 'orphan-' || g, 'recover', '2', 'RUNNING', FALSE, 'crashed-node', 1, now() - interval '1 minute',
                       now() - interval '2 minutes', now() - interval '2 minutes'
                FROM generate_series(1, ?) AS g""", EXPIRED);
        schema.jdbc().execute("ANALYZE agent_saga_instance");
    }

    @AfterAll
    static void drop() {
        schema.close();
    }

    @Test
    void aPageOfOneStatusReadsItsIndexBackwardsAndStopsAtThePage() {
        JsonNode plan = explain(SagaQuery.all().withStatuses(SagaStatus.NEEDS_ATTENTION));

        List<JsonNode> scans = scans(plan);
        assertThat(scans).singleElement().satisfies(scan -> {
            assertThat(scanned(scan)).isEqualTo("Index Scan using agent_saga_instance_status_created_ix");
            assertThat(text(scan, "Scan Direction")).isEqualTo("Backward");
            assertThat(scan.get("Actual Rows").asLong()).isEqualTo(20);
        });
        assertThat(nodeTypes(plan)).doesNotContain("Sort", "Incremental Sort");
    }

    @Test
    void aPageOfSeveralStatusesMergesOneBranchPerStatus() {
        JsonNode plan = explain(SagaQuery.all().withStatuses(SagaStatus.NEEDS_ATTENTION, SagaStatus.COMPENSATED));

        List<JsonNode> scans = scans(plan);
        assertThat(scans).hasSize(2).allSatisfy(scan -> {
            assertThat(scanned(scan)).isEqualTo("Index Scan using agent_saga_instance_status_created_ix");
            assertThat(scan.get("Actual Rows").asLong()).isLessThanOrEqualTo(21);
        });
        assertThat(nodeTypes(plan)).contains("Merge Append").doesNotContain("Sort", "Incremental Sort");
    }

    @Test
    void theCountStopsAtTheLimit() {
        ListStatements all = ListStatements.of(sql, SagaQuery.all());

        JsonNode plan = analyze(all.count(), all.params());

        assertThat(scans(plan)).singleElement()
                .satisfies(scan -> assertThat(scan.get("Actual Rows").asLong()).isEqualTo(JdbcSagaStore.TOTAL_LIMIT + 1));
    }

    @Test
    void aClaimReadsRunnableSagasInUpdateOrderAndStopsAtItsLimit() {
        assertClaimStopsAtItsLimit(List.<Object[]>of(new Object[] { "recover", "2" }));
    }

    @Test
    void aClaimForSeveralWorkflowsReadsRunnableSagasInUpdateOrderToo() {
        assertClaimStopsAtItsLimit(List.of(new Object[] { "trip", "1" }, new Object[] { "recover", "2" },
                new Object[] { "recover", "1" }));
    }

    private static void assertClaimStopsAtItsLimit(List<Object[]> workflows) {
        Instant now = Instant.now();
        MapSqlParameterSource params = new MapSqlParameterSource("owner", "plan-test")
                .addValue("workflows", workflows).addValue("limit", 16)
                .addValue("includeOwn", false).addValue("now", now.atOffset(ZoneOffset.UTC))
                .addValue("leaseUntil", now.plusSeconds(30).atOffset(ZoneOffset.UTC));

        JsonNode plan = analyze(sql.claim(), params);

        JsonNode runnable = find(plan, node -> "CTE runnable".equals(text(node, "Subplan Name")));
        assertThat(runnable).as("the runnable CTE in %s", plan).isNotNull();
        assertThat(scans(runnable)).singleElement().satisfies(scan -> {
            assertThat(scanned(scan)).isEqualTo("Index Scan using agent_saga_instance_runnable_ix");
            assertThat(scan.get("Actual Rows").asLong()).isEqualTo(16);
        });
        assertThat(nodeTypes(runnable)).doesNotContain("Sort", "Incremental Sort");
        assertThat(plan.get("Actual Rows").asLong()).as("sagas claimed").isEqualTo(16);
    }

    private static JsonNode explain(SagaQuery query) {
        ListStatements list = ListStatements.of(sql, query);
        return analyze(list.select(), list.params());
    }

    /** The plan of {@code statement} as run, in a transaction that is rolled back. */
    private static JsonNode analyze(String statement, MapSqlParameterSource params) {
        String plan = new TransactionTemplate(new DataSourceTransactionManager(schema.dataSource())).execute(tx -> {
            tx.setRollbackOnly();
            return jdbc.queryForObject("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + statement, params, String.class);
        });
        return json.readTree(plan).get(0).get("Plan");
    }

    private static List<JsonNode> scans(JsonNode plan) {
        List<JsonNode> scans = new ArrayList<>();
        visit(plan, node -> {
            if (text(node, "Node Type").endsWith("Scan") && node.has("Relation Name")) {
                scans.add(node);
            }
        });
        return scans;
    }

    /** The scan's type and index, e.g. {@code Index Scan using agent_saga_instance_pk}. */
    private static String scanned(JsonNode scan) {
        return text(scan, "Node Type") + (scan.has("Index Name") ? " using " + text(scan, "Index Name") : "");
    }

    private static List<String> nodeTypes(JsonNode plan) {
        List<String> types = new ArrayList<>();
        visit(plan, node -> types.add(text(node, "Node Type")));
        return types;
    }

    private static JsonNode find(JsonNode plan, Predicate<JsonNode> test) {
        List<JsonNode> found = new ArrayList<>();
        visit(plan, node -> {
            if (test.test(node)) {
                found.add(node);
            }
        });
        return found.isEmpty() ? null : found.get(0);
    }

    private static void visit(JsonNode node, Consumer<JsonNode> visitor) {
        visitor.accept(node);
        if (node.has("Plans")) {
            node.get("Plans").forEach(child -> visit(child, visitor));
        }
    }

    private static String text(JsonNode node, String field) {
        return node.has(field) ? node.get(field).asString() : "";
    }
}
