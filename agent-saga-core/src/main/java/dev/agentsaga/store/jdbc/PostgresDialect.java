package dev.agentsaga.store.jdbc;

/** PostgreSQL: the statements of {@link SqlDialect} as written. */
public final class PostgresDialect extends SqlDialect {

    public PostgresDialect(String tablePrefix) {
        super(tablePrefix);
    }
}
