package dev.agentsaga.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;

import dev.agentsaga.store.jdbc.SchemaInitializer;

/** Applies agent-saga's Liquibase changelog to its data source when the context starts, before the engine. */
public class AgentSagaSchemaInitializer implements InitializingBean {

    private final DataSource dataSource;

    private final String tablePrefix;

    public AgentSagaSchemaInitializer(DataSource dataSource, String tablePrefix) {
        this.dataSource = dataSource;
        this.tablePrefix = tablePrefix;
    }

    @Override
    public void afterPropertiesSet() {
        SchemaInitializer.apply(dataSource, tablePrefix);
    }
}
