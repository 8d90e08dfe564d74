package dev.agentsaga.autoconfigure;

import java.util.Objects;
import java.util.function.Supplier;
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
import dev.agentsaga.spi.AesGcmPayloadCipher;
import dev.agentsaga.spi.EncryptionKeys;
import dev.agentsaga.spi.JacksonPayloadCodec;
import dev.agentsaga.spi.PayloadCipher;
import dev.agentsaga.spi.JsonLinesArchiver;
import dev.agentsaga.spi.SagaArchiver;
import dev.agentsaga.spi.SagaClock;
import dev.agentsaga.spi.SagaObserver;

/**
 * Runs a {@link SagaEngine} on the application's {@link DataSource} (or the one qualified
 * {@link AgentSagaDataSource @AgentSagaDataSource}) with the {@code SagaAction} and
 * {@code AgentWorkflow} beans of the context, its schema applied by Liquibase; a {@link SagaClock} bean,
 * when there is one (a test kit's clock), is the engine's time. The journal's payloads are encrypted by
 * the {@link PayloadCipher} bean: AES-GCM under the keys of a {@code Supplier<EncryptionKeys>} bean or of
 * {@code agent.saga.encryption.*}, or none when neither is there.
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
            PayloadCipher payloadCipher, ObjectProvider<SagaArchiver> archiver) {
        // asking for the initializer creates it, and so applies the schema, before the engine exists
        schema.ifAvailable(initializer -> { });
        AgentSaga.Builder builder = AgentSaga.builder(sagaDataSource.getIfAvailable(dataSource::getObject));
        applyProperties(builder, properties);
        builder.payloadCipher(payloadCipher);
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

    /**
     * AES-GCM under the keys a {@code Supplier<EncryptionKeys>} bean answers (asked on every payload: a vault
     * can rotate them), else under {@code agent.saga.encryption.*}; payloads as they are when neither is set.
     * The keys are checked now, so that a missing or malformed key fails the start-up.
     */
    @Bean
    @ConditionalOnMissingBean
    PayloadCipher agentSagaPayloadCipher(AgentSagaProperties properties, ObjectProvider<Supplier<EncryptionKeys>> keys) {
        Supplier<EncryptionKeys> supplier = keys.getIfUnique();
        if (supplier != null) {
            return new AesGcmPayloadCipher(supplier);
        }
        AgentSagaProperties.Encryption encryption = properties.getEncryption();
        if (!encryption.isConfigured()) {
            return PayloadCipher.none();
        }
        return new AesGcmPayloadCipher(EncryptionKeys.fromBase64(Objects.requireNonNullElse(encryption.getCurrentKey(),
                ""), encryption.getKeys()));
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
                .childRecheck(properties.getChildren().getRecheckInterval())
                .restNotifications(properties.getRestNotifications().isEnabled())
                .retention(properties.getRetention().toRetention())
                .driftPolicy(properties.getLlm().getDriftPolicy())
                .groupCommitMaxBatch(properties.getGroupCommit().getMaxBatch());
        properties.getQueues().forEach((name, queue) -> builder.queue(queue.toQueue(name)));
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
        properties.getSchedules().forEach((name, schedule) -> builder.schedule(name, schedule.toSchedule(name)));
        properties.getLlm().getRateLimits().forEach((model, limit) -> builder.modelRateLimit(model,
                limit.getRequestsPerMinute(), limit.getTokensPerMinute()));
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
