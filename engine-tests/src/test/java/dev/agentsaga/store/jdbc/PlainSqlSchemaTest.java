package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.test.TestDatabase;

/** The plain SQL in docs/ for users on Flyway creates exactly what the Liquibase changelog creates. */
class PlainSqlSchemaTest {

    static TestDatabase liquibase;

    static TestDatabase plain;

    @BeforeAll
    static void createBoth() throws IOException {
        liquibase = TestDatabase.postgresql();
        plain = TestDatabase.postgresql("unused_");
        String sql = Files.readString(Path.of("..", "docs", "schema-postgresql.sql"));
        plain.jdbc().execute(sql);
    }

    @AfterAll
    static void drop() {
        liquibase.close();
        plain.close();
    }

    @Test
    void columnsMatchTheChangelog() {
        assertThat(columns(plain)).isNotEmpty().containsExactlyElementsOf(columns(liquibase));
    }

    @Test
    void indexesMatchTheChangelog() {
        assertThat(indexes(plain)).isNotEmpty().containsExactlyElementsOf(indexes(liquibase));
    }

    @Test
    void statisticsMatchTheChangelog() {
        assertThat(statistics(plain)).isNotEmpty().containsExactlyElementsOf(statistics(liquibase));
    }

    private static List<String> statistics(TestDatabase schema) {
        return new JdbcTemplate(schema.dataSource()).queryForList("""
                SELECT s.stxname || ' ' || s.stxkind::text || ' ' || (
                           SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_attribute a
                           WHERE a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys))
                FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
                WHERE n.nspname = ? AND s.stxname LIKE 'agent_saga_%'
                ORDER BY s.stxname""", String.class, schema.name());
    }

    private static List<String> columns(TestDatabase schema) {
        return new JdbcTemplate(schema.dataSource()).queryForList("""
                SELECT table_name || '.' || column_name || ' ' || data_type || ' '
                       || COALESCE(character_maximum_length::text, '') || ' ' || is_nullable || ' '
                       || COALESCE(column_default, '')
                FROM information_schema.columns
                WHERE table_schema = ? AND table_name LIKE 'agent_saga_%'
                ORDER BY table_name, column_name""", String.class, schema.name());
    }

    private static List<String> indexes(TestDatabase schema) {
        return new JdbcTemplate(schema.dataSource()).queryForList("""
                SELECT replace(indexdef, ?, 'S') FROM pg_indexes
                WHERE schemaname = ? AND tablename LIKE 'agent_saga_%'
                ORDER BY indexname""", String.class, schema.name() + ".", schema.name());
    }
}
