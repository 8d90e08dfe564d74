package dev.agentsaga.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.agentsaga.SagaExport;
import dev.agentsaga.spi.SagaArchiver;

/**
 * {@code agent.saga.retention.*}: finished sagas past the configured age are deleted, archived first to the
 * configured directory as JSON lines, or to a {@link SagaArchiver} bean, which wins over the directory.
 */
class RetentionAutoConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ScratchSchema schema;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AgentSagaAutoConfiguration.class))
            .withPropertyValues(schema.datasourceUrlProperty(), "spring.datasource.hikari.maximum-pool-size=4",
                    "agent.saga.retention.keep-finished=10d", "agent.saga.retention.workflows.audit=400d",
                    "agent.saga.retention.interval=100ms");

    @BeforeAll
    static void createSchema() {
        schema = ScratchSchema.empty();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void deletesFinishedSagasPastTheirRetentionAfterArchivingThemToTheDirectory(@TempDir Path archive) {
        contextRunner.withPropertyValues("agent.saga.retention.archive-directory=" + archive).run(context -> {
            insertFinished("expired-1", "orders", 30);
            insertFinished("kept-audit", "audit", 30);
            insertFinished("kept-recent", "orders", 2);

            awaitGone("expired-1");
            List<String> lines;
            try (var days = Files.list(archive)) {
                lines = Files.readAllLines(days.findFirst().orElseThrow());
            }

            assertThat(lines).hasSize(1);
            assertThat(SagaExport.fromJson(lines.get(0)).id()).isEqualTo("expired-1");
            assertThat(schema.sagaRows("agent_saga_instance", "kept-audit")).as("its workflow keeps 400 days").isOne();
            assertThat(schema.sagaRows("agent_saga_instance", "kept-recent")).isOne();
        });
    }

    @Test
    void anArchiverBeanWinsOverTheDirectory(@TempDir Path archive) {
        List<String> archived = new CopyOnWriteArrayList<>();
        contextRunner.withPropertyValues("agent.saga.retention.archive-directory=" + archive)
                .withBean(SagaArchiver.class, () -> sagas -> sagas.forEach(saga -> archived.add(saga.id())))
                .run(context -> {
                    insertFinished("expired-2", "orders", 30);

                    awaitGone("expired-2");

                    assertThat(archived).containsExactly("expired-2");
                    try (var files = Files.list(archive)) {
                        assertThat(files).isEmpty();
                    }
                });
    }

    private static void insertFinished(String id, String workflow, int daysAgo) {
        schema.jdbc().update("""
                INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, cancel_requested, lease_epoch,
                                                 created_at, updated_at)
                VALUES (?, ?, '1', 'COMPLETED', FALSE, 1, now() - make_interval(days => ?), now())""", id, workflow,
                daysAgo);
    }

    private static void awaitGone(String id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (schema.sagaRows("agent_saga_instance", id) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(schema.sagaRows("agent_saga_instance", id)).as("deleted within %s", WAIT).isZero();
    }
}
