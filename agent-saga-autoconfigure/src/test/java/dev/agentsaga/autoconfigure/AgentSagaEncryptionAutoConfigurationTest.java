package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.autoconfigure.actuate.AgentSagaActuatorAutoConfiguration;
import dev.agentsaga.autoconfigure.actuate.SagasEndpoint;
import dev.agentsaga.spi.AesGcmPayloadCipher;
import dev.agentsaga.spi.EncryptionKeys;
import dev.agentsaga.spi.PayloadCipher;

/**
 * Encryption of the journal's payloads in the auto-configuration: one condition per test, on a real
 * PostgreSQL (one schema with the tables for the class; each test runs a workflow of its own).
 */
class AgentSagaEncryptionAutoConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);

    private static final String SHORT_KEY = Base64.getEncoder().encodeToString("sixteen byte key".getBytes());

    private static ScratchSchema schema;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class))
            .withUserConfiguration(SealedTripConfiguration.class)
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4");

    @BeforeAll
    static void createSchema() {
        schema = ScratchSchema.withTables();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void storesPayloadsAsTheyAreWithoutKeys() {
        contextRunner.run(context -> {

            SagaView view = context.getBean(SagaCoordinator.class).start("sealedTrip", "Oslo").await(WAIT);

            assertThat(context.getBean(PayloadCipher.class)).isSameAs(PayloadCipher.none());
            assertThat(storedInput(view.id())).isEqualTo("\"Oslo\"");
        });
    }

    @Test
    void encryptsPayloadsUnderTheKeysOfTheProperties() {
        contextRunner.withPropertyValues("agent.saga.encryption.current-key=k1", "agent.saga.encryption.keys.k1=" + K1)
                .run(context -> {

                    SagaView view = context.getBean(SagaCoordinator.class).start("sealedTrip", "Lima").await(WAIT);

                    assertThat(context.getBean(PayloadCipher.class)).isInstanceOf(AesGcmPayloadCipher.class);
                    assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
                    assertThat(view.input()).isEqualTo("\"Lima\"");
                    assertThat(storedInput(view.id())).startsWith("enc1:k1:").doesNotContain("Lima");
                });
    }

    @Test
    void takesTheKeysFromEnvironmentVariables() {
        contextRunner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource("test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("AGENT_SAGA_ENCRYPTION_CURRENTKEY", "k7", "AGENT_SAGA_ENCRYPTION_KEYS_K7", K1))))
                .run(context -> {

                    SagaView view = context.getBean(SagaCoordinator.class).start("sealedTrip", "Riga").await(WAIT);

                    assertThat(storedInput(view.id())).startsWith("enc1:k7:");
                });
    }

    @Test
    void theEndpointMasksTheDecryptedPayloads() {
        contextRunner.withConfiguration(AutoConfigurations.of(AgentSagaActuatorAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=sagas",
                        "agent.saga.encryption.current-key=k1", "agent.saga.encryption.keys.k1=" + K1)
                .run(context -> {
                    String id = context.getBean(SagaCoordinator.class).start("sealedLogin",
                            Map.of("user", "ann", "password", "hunter2")).await(WAIT).id();

                    SagasEndpoint.SagaDetail detail = context.getBean(SagasEndpoint.class).saga(id);

                    assertThat(storedInput(id)).startsWith("enc1:k1:").doesNotContain("\"ann\"").doesNotContain("\"hunter2\"");
                    assertThat(detail).isNotNull();
                    assertThat(String.valueOf(detail.input())).contains("ann").contains("******")
                            .doesNotContain("hunter2");
                });
    }

    @Test
    void aSupplierOfKeysWinsOverTheProperties() {
        contextRunner.withUserConfiguration(VaultConfiguration.class)
                .withPropertyValues("agent.saga.encryption.current-key=k1", "agent.saga.encryption.keys.k1=" + K1)
                .run(context -> {

                    SagaView view = context.getBean(SagaCoordinator.class).start("sealedTrip", "Quito").await(WAIT);

                    assertThat(storedInput(view.id())).startsWith("enc1:vault-7:");
                    assertThat(view.output()).isEqualTo("\"Quito\"");
                });
    }

    @Test
    void aKeyOfTheWrongLengthFailsTheStartUpNamingTheKeyNotShowingIt() {
        contextRunner.withPropertyValues("agent.saga.encryption.current-key=k1",
                "agent.saga.encryption.keys.k1=" + SHORT_KEY).run(context -> {
                    assertThat(context).hasFailed();

                    Throwable failure = context.getStartupFailure();
                    FailureAnalysis analysis = new EncryptionKeyFailureAnalyzer().analyze(failure);

                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("'k1' has 16 bytes").doesNotContain(SHORT_KEY);
                    assertThat(analysis.getAction()).contains("agent.saga.encryption.keys.<id>", "openssl rand -base64 32");
                    assertThat(stackTrace(failure)).doesNotContain(SHORT_KEY).doesNotContain("sixteen");
                });
    }

    @Test
    void aCurrentKeyThatIsNotConfiguredFailsTheStartUp() {
        contextRunner.withPropertyValues("agent.saga.encryption.current-key=k2", "agent.saga.encryption.keys.k1=" + K1)
                .run(context -> {
                    assertThat(context).hasFailed();

                    FailureAnalysis analysis = new EncryptionKeyFailureAnalyzer().analyze(context.getStartupFailure());

                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("current encryption key 'k2'", "[k1]")
                            .doesNotContain(K1);
                });
    }

    @Test
    void keysWithoutACurrentKeyFailTheStartUp() {
        contextRunner.withPropertyValues("agent.saga.encryption.keys.k1=" + K1).run(context -> {
            assertThat(context).hasFailed();

            assertThat(new EncryptionKeyFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
                    .contains("No current encryption key");
        });
    }

    private String storedInput(String sagaId) {
        return schema.jdbc().queryForObject("SELECT input FROM agent_saga_instance WHERE id = ?", String.class, sagaId);
    }

    private static String stackTrace(Throwable failure) {
        java.io.StringWriter text = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class SealedTripConfiguration {

        @Bean
        SagaAction<String, String> sealedBooking() {
            return new Booking();
        }

        @Bean
        AgentWorkflow<String, String> sealedTrip(SagaAction<String, String> sealedBooking) {
            return new Trip(sealedBooking);
        }

        @Bean
        AgentWorkflow<Map<String, String>, String> sealedLogin() {
            return (credentials, saga) -> "signed in " + credentials.get("user");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class VaultConfiguration {

        @Bean
        Supplier<EncryptionKeys> vaultKeys() {
            EncryptionKeys keys = EncryptionKeys.of("vault-7", Map.of("vault-7", new byte[32]));
            return () -> keys;
        }
    }

    static class Booking implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            return input;
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }

    static class Trip implements AgentWorkflow<String, String> {

        private final SagaAction<String, String> booking;

        Trip(SagaAction<String, String> booking) {
            this.booking = booking;
        }

        @Override
        public String run(String input, Saga saga) {
            return saga.step(booking, input);
        }
    }
}
