package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.test.TestDatabase;

/**
 * The upgrade path of docs/operations.md: an operator builds the indexes of changelog 004 beforehand
 * (with {@code CREATE INDEX CONCURRENTLY}); applying the changelog then marks their change sets as run.
 */
class PrebuiltIndexesTest {

    TestDatabase schema;

    @BeforeEach
    void createSchemaBefore004() {
        schema = TestDatabase.postgresql();
        // the schema as changelog 003 left it, then the indexes built by hand under the changelog's names
        schema.jdbc().execute("DROP INDEX agent_saga_instance_status_created_ix");
        schema.jdbc().execute("DROP INDEX agent_saga_instance_runnable_ix");
        schema.jdbc().execute("DROP STATISTICS agent_saga_instance_claim_stats");
        schema.jdbc().update("DELETE FROM databasechangelog WHERE id LIKE 'agent-saga-004-%'");
        schema.jdbc().execute("""
                CREATE INDEX CONCURRENTLY agent_saga_instance_status_created_ix
                    ON agent_saga_instance (status, created_at, id)""");
        schema.jdbc().execute("""
                CREATE INDEX CONCURRENTLY agent_saga_instance_runnable_ix ON agent_saga_instance (updated_at)
                    WHERE status IN ('PENDING', 'RUNNING', 'COMPENSATING')""");
    }

    @AfterEach
    void drop() {
        schema.close();
    }

    @Test
    void changeSetsWhoseIndexExistsAreMarkedAsRun() {

        SchemaInitializer.apply(schema.dataSource(), "agent_saga_");

        List<String> applied = schema.jdbc().queryForList(
                "SELECT id || ' ' || exectype FROM databasechangelog WHERE id LIKE 'agent-saga-004-%' ORDER BY id",
                String.class);
        assertThat(applied).containsExactly("agent-saga-004-claim-statistics EXECUTED",
                "agent-saga-004-runnable-index MARK_RAN", "agent-saga-004-status-created-index MARK_RAN");
    }
}
