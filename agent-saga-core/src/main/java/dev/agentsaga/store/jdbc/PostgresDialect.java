package dev.agentsaga.store.jdbc;

/** PostgreSQL: the statements of {@link SqlDialect} as written. */
public final class PostgresDialect extends SqlDialect {

    private final String restChannel;

    public PostgresDialect(String tablePrefix) {
        super(tablePrefix);
        this.restChannel = tablePrefix + "rests";
    }

    /** The channel of {@code LISTEN}/{@code NOTIFY} on which the rests of sagas are told. */
    String restChannel() {
        return restChannel;
    }
}
