package dev.agentsaga.store.jdbc;

/** PostgreSQL: the statements of {@link SqlDialect} as written; PgJDBC runs a batch as one transaction. */
public final class PostgresDialect extends SqlDialect {

    public PostgresDialect(String tablePrefix) {
        super(tablePrefix);
    }

    @Override
    public boolean batchIsOneTransaction() {
        return true;
    }
}
