package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.autoconfigure.ai.AgentSagaSpringAiAutoConfiguration;
import dev.agentsaga.autoconfigure.web.AgentSagaProblemDetailsAutoConfiguration;

/** What the jar tells Spring Boot: its auto-configurations, its failure analyzer, its property metadata. */
class AutoConfigurationRegistrationTest {

    private static final List<String> PROPERTIES = List.of("agent.saga.enabled", "agent.saga.table-prefix",
            "agent.saga.schema.initialize", "agent.saga.node-id", "agent.saga.worker-threads",
            "agent.saga.poll-interval", "agent.saga.lease-duration", "agent.saga.heartbeat-interval",
            "agent.saga.shutdown-grace", "agent.saga.max-payload-size", "agent.saga.max-recovery-attempts",
            "agent.saga.encryption.current-key", "agent.saga.encryption.keys", "agent.saga.retention.keep-finished",
            "agent.saga.retention.workflows", "agent.saga.retention.batch-size", "agent.saga.retention.interval", "agent.saga.retention.duty-cycle",
            "agent.saga.retention.archive-directory",
            "agent.saga.policy.max-attempts",
            "agent.saga.policy.initial-backoff", "agent.saga.policy.max-backoff", "agent.saga.policy.multiplier",
            "agent.saga.policy.timeout", "agent.saga.llm.drift-policy", "agent.saga.endpoint.redact",
            "agent.saga.web.problem-details.enabled", "agent.saga.agent.enabled", "agent.saga.agent.max-turns",
            "agent.saga.agent.max-tokens", "agent.saga.agent.loop-guard", "agent.saga.agent.approval-timeout",
            "agent.saga.tools.default-reversibility", "agent.saga.tools.beans", "agent.saga.tools.callbacks",
            "agent.saga.children.recheck-interval", "agent.saga.queues");

    private final ClassLoader classLoader = getClass().getClassLoader();

    @Test
    void listsTheAutoConfigurationForSpringBoot() {

        List<String> candidates = new ArrayList<>();
        ImportCandidates.load(AutoConfiguration.class, classLoader).forEach(candidates::add);

        assertThat(candidates).contains(AgentSagaAutoConfiguration.class.getName(),
                AgentSagaProblemDetailsAutoConfiguration.class.getName(),
                AgentSagaSpringAiAutoConfiguration.class.getName());
    }

    @Test
    void registersTheFailureAnalyzer() throws IOException {

        List<String> analyzers = factories("org.springframework.boot.diagnostics.FailureAnalyzer");

        assertThat(analyzers).contains(DuplicateSagaNameFailureAnalyzer.class.getName(),
                EncryptionKeyFailureAnalyzer.class.getName(),
                "dev.agentsaga.autoconfigure.ai.UndeclaredToolsFailureAnalyzer");
    }

    @Test
    void describesEveryPropertyInTheConfigurationMetadata() throws IOException {

        Map<String, JsonNode> properties = agentSagaMetadata();

        assertThat(properties).containsKeys(PROPERTIES.toArray(String[]::new));
        assertThat(PROPERTIES).allSatisfy(name -> assertThat(properties.get(name).path("description").asString())
                .as("description of %s", name).isNotBlank());
    }

    @Test
    void documentsTheDefaultsInTheConfigurationMetadata() throws IOException {

        Map<String, JsonNode> properties = agentSagaMetadata();

        assertThat(properties.get("agent.saga.table-prefix").path("defaultValue").asString()).isEqualTo("agent_saga_");
        assertThat(properties.get("agent.saga.worker-threads").path("defaultValue").asInt()).isEqualTo(8);
        assertThat(properties.get("agent.saga.enabled").path("defaultValue").asBoolean()).isTrue();
        assertThat(properties.get("agent.saga.policy.max-attempts").path("defaultValue").asInt()).isEqualTo(3);
        assertThat(properties.get("agent.saga.web.problem-details.enabled").path("defaultValue").asBoolean()).isTrue();
    }

    private List<String> factories(String key) throws IOException {
        List<String> values = new ArrayList<>();
        for (URL url : Collections.list(classLoader.getResources("META-INF/spring.factories"))) {
            Properties factories = new Properties();
            try (InputStream in = url.openStream()) {
                factories.load(in);
            }
            for (String value : factories.getProperty(key, "").split(",")) {
                if (!value.isBlank()) {
                    values.add(value.trim());
                }
            }
        }
        return values;
    }

    /** The agent.saga.* entries of every spring-configuration-metadata.json on the class path, by name. */
    private Map<String, JsonNode> agentSagaMetadata() throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        for (URL url : Collections.list(classLoader.getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode property : json.readTree(in).path("properties")) {
                    String name = property.path("name").asString();
                    if (name.startsWith("agent.saga.")) {
                        properties.put(name, property);
                    }
                }
            }
        }
        return properties;
    }
}
