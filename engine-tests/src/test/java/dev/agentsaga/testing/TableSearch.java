package dev.agentsaga.testing;

import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.test.TestDatabase;

/**
 * Where a text occurs in the agent-saga tables of a test schema on PostgreSQL: every text column of every
 * table under the schema's prefix, read from the catalogue so that a column added later is searched too.
 */
public final class TableSearch {

    private TableSearch() {
    }

    /** The columns ({@code table.column}, without the prefix) with at least one value that contains {@code text}. */
    public static List<String> columnsContaining(TestDatabase schema, String text) {
        JdbcTemplate jdbc = schema.jdbc();
        List<String> columns = jdbc.queryForList("""
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = ? AND table_name LIKE ? AND data_type IN ('text', 'character varying')
                ORDER BY table_name, column_name""", String.class, schema.name(),
                schema.tablePrefix().replace("_", "\\_") + "%");
        List<String> containing = new ArrayList<>();
        for (String column : columns) {
            String[] parts = column.split("\\.");
            Integer rows = jdbc.queryForObject("SELECT count(*) FROM " + parts[0] + " WHERE " + parts[1]
                    + " LIKE ?", Integer.class, "%" + text + "%");
            if (rows != null && rows > 0) {
                containing.add(column.substring(schema.tablePrefix().length()));
            }
        }
        return containing;
    }

    /** How many text columns the agent-saga tables of the schema have: what {@link #columnsContaining} searches. */
    public static int textColumns(TestDatabase schema) {
        Integer columns = schema.jdbc().queryForObject("""
                SELECT count(*) FROM information_schema.columns
                WHERE table_schema = ? AND table_name LIKE ? AND data_type IN ('text', 'character varying')""",
                Integer.class, schema.name(), schema.tablePrefix().replace("_", "\\_") + "%");
        return columns == null ? 0 : columns;
    }
}
