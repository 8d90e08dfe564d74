package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.test.TestDatabase;

/** The plain SQL in docs/ for users of MariaDB and MySQL on Flyway creates exactly what the Liquibase changelog creates. */
class MariaDbPlainSqlSchemaTest {

    static TestDatabase liquibase;

    static TestDatabase plain;

    @BeforeAll
    static void createBoth() throws IOException {
        if (!TestDatabase.mariadbAvailable()) {
            return;
        }
        liquibase = TestDatabase.mariadb();
        plain = TestDatabase.emptyMariadb();
        String sql = Files.readString(Path.of("..", "docs", "schema-mysql.sql"));
        for (String statement : sql.replaceAll("(?m)^--.*$", "").split(";")) {
            if (!statement.isBlank()) {
                plain.jdbc().execute(statement);
            }
        }
    }

    @BeforeEach
    void requireMariadb() {
        TestDatabase.assumeMariadb();
    }

    @AfterAll
    static void drop() {
        if (liquibase != null) {
            liquibase.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    @Test
    void tablesMatchTheChangelog() {
        assertThat(tables(plain)).hasSize(7).containsExactlyElementsOf(tables(liquibase));
    }

    @Test
    void columnsMatchTheChangelog() {
        assertThat(columns(plain)).isNotEmpty().containsExactlyElementsOf(columns(liquibase));
    }

    @Test
    void indexesMatchTheChangelog() {
        assertThat(indexes(plain)).isNotEmpty().containsExactlyElementsOf(indexes(liquibase));
    }

    private static List<String> tables(TestDatabase database) {
        return database.jdbc().queryForList("""
                SELECT CONCAT_WS(' ', table_name, engine, table_collation) FROM information_schema.tables
                WHERE table_schema = ? AND table_name LIKE 'agent\\_saga\\_%'
                ORDER BY table_name""", String.class, database.name());
    }

    private static List<String> columns(TestDatabase database) {
        return database.jdbc().queryForList("""
                SELECT CONCAT_WS(' ', table_name, column_name, column_type, is_nullable,
                                 COALESCE(column_default, '-'), COALESCE(collation_name, '-'))
                FROM information_schema.columns
                WHERE table_schema = ? AND table_name LIKE 'agent\\_saga\\_%'
                ORDER BY table_name, column_name""", String.class, database.name());
    }

    private static List<String> indexes(TestDatabase database) {
        return database.jdbc().queryForList("""
                SELECT CONCAT_WS(' ', table_name, index_name, non_unique, seq_in_index, column_name)
                FROM information_schema.statistics
                WHERE table_schema = ? AND table_name LIKE 'agent\\_saga\\_%'
                ORDER BY table_name, index_name, seq_in_index""", String.class, database.name());
    }
}
