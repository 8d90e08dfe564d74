package dev.agentsaga.testing;

import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.store.jdbc.SchemaInitializer;

/** A fresh in-memory H2 database in PostgreSQL mode, pooled, with the agent-saga tables applied by Liquibase. */
public final class H2TestDatabase {

    private H2TestDatabase() {
    }

    /** The URL of a new in-memory database that lives until the JVM ends. */
    public static String newUrl() {
        return "jdbc:h2:mem:saga_" + UUID.randomUUID().toString().replace("-", "")
                + ";MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
    }

    /** A pooled data source on a new in-memory database with the agent-saga tables under {@code tablePrefix}. */
    public static HikariDataSource newDataSource(String tablePrefix) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(newUrl());
        config.setMaximumPoolSize(16);
        config.setPoolName("h2-test");
        HikariDataSource dataSource = new HikariDataSource(config);
        SchemaInitializer.apply(dataSource, tablePrefix);
        return dataSource;
    }
}
