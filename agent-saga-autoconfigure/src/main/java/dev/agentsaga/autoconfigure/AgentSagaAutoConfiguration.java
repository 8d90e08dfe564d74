package dev.agentsaga.autoconfigure;

import java.nio.file.Path;

import javax.sql.DataSource;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.spi.JacksonPayloadCodec;
import dev.agentsaga.spi.JsonLinesArchiver;
import dev.agentsaga.spi.SagaArchiver;
import dev.agentsaga.spi.SagaClock;
import dev.agentsaga.spi.SagaObserver;

/**
 * Runs a {@link SagaEngine} on the application's {@link DataSource} (or the one qualified
 * {@link AgentSagaDataSource @AgentSagaDataSource}) with the {@code SagaAction} and
 * {@code AgentWorkflow} beans of the context, its schema applied by Liquibase; a {@link SagaClock} bean,
 * when there is one (a test kit's clock), is the engine's time.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass(SagaEngine.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnProperty(prefix = "agent.saga", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(AgentSagaProperties.class)
public final class AgentSagaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(SagaCoordinator.class)
    SagaEngine sagaEngine(ObjectProvider<DataSource> dataSource,
            @AgentSagaDataSource ObjectProvider<DataSource> sagaDataSource, AgentSagaProperties properties,
            ListableBeanFactory beans, ObjectProvider<JsonMapper> jsonMapper,
            ObjectProvider<SagaObserver> observers, ObjectProvider<SagaEngineCustomizer> customizers,
            ObjectProvider<AgentSagaSchemaInitializer> schema, ObjectProvider<SagaClock> clock,
            ObjectProvider<SagaArchiver> archiver) {
        // asking for the initializer creates it, and so applies the schema, before the engine exists
        schema.ifAvailable(initializer -> { });
        AgentSaga.Builder builder = AgentSaga.builder(sagaDataSource.getIfAvailable(dataSource::getObject));
        applyProperties(builder, properties);
        jsonMapper.ifAvailable(mapper -> builder.codec(new JacksonPayloadCodec(mapper)));
        clock.ifUnique(builder::clock);
        Path archiveDirectory = properties.getRetention().getArchiveDirectory();
        archiver.ifUnique(builder::archiver);
        if (archiver.getIfUnique() == null && archiveDirectory != null) {
            builder.archiver(new JsonLinesArchiver(archiveDirectory));
        }
        SagaComponents.register(beans, builder);
        observers.orderedStream().forEach(builder::observer);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(SagaEngine.class)
    SagaEngineLifecycle sagaEngineLifecycle(SagaEngine sagaEngine, AgentSagaProperties properties) {
        return new SagaEngineLifecycle(sagaEngine, properties.getShutdownGrace());
    }

    private static void applyProperties(AgentSaga.Builder builder, AgentSagaProperties properties) {
        builder.tablePrefix(properties.getTablePrefix())
                .workerThreads(properties.getWorkerThreads())
                .pollInterval(properties.getPollInterval())
                .leaseDuration(properties.getLeaseDuration())
                .maxPayloadBytes(Math.toIntExact(properties.getMaxPayloadSize().toBytes()))
                .maxRecoveryAttempts(properties.getMaxRecoveryAttempts())
                .retention(properties.getRetention().toRetention())
                .driftPolicy(properties.getLlm().getDriftPolicy())
                .groupCommitMaxBatch(properties.getGroupCommit().getMaxBatch());
        Boolean groupCommit = properties.getGroupCommit().getEnabled();
        if (groupCommit != null) {
            builder.groupCommit(groupCommit);
        }
        if (properties.getHeartbeatInterval() != null) {
            builder.heartbeatInterval(properties.getHeartbeatInterval());
        }
        if (properties.getNodeId() != null && !properties.getNodeId().isBlank()) {
            builder.nodeId(properties.getNodeId());
        }
        AgentSagaProperties.Policy policy = properties.getPolicy();
        builder.defaultPolicy(new ActionPolicy(policy.getMaxAttempts(), policy.getInitialBackoff(),
                policy.getMaxBackoff(), policy.getMultiplier(), policy.getTimeout()));
    }

    /** Applies the schema with Liquibase, unless switched off or Liquibase is absent. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "liquibase.Liquibase")
    @ConditionalOnProperty(prefix = "agent.saga.schema", name = "initialize", havingValue = "true",
            matchIfMissing = true)
    static class SchemaConfiguration {

        @Bean
        @ConditionalOnMissingBean
        AgentSagaSchemaInitializer agentSagaSchemaInitializer(ObjectProvider<DataSource> dataSource,
                @AgentSagaDataSource ObjectProvider<DataSource> sagaDataSource, AgentSagaProperties properties) {
            return new AgentSagaSchemaInitializer(sagaDataSource.getIfAvailable(dataSource::getObject),
                    properties.getTablePrefix());
        }
    }
}
