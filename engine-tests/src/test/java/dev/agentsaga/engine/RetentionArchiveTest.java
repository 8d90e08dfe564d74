package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaRetention;
import dev.agentsaga.spi.JsonLinesArchiver;
import dev.agentsaga.spi.SagaArchiver;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * Retention with an archiver: every deleted saga is written once, with its steps, as a line of the day's
 * JSON-lines file before it is deleted; while the archiver fails, nothing is deleted, and once it works again
 * the sagas go.
 */
class RetentionArchiveTest {

    private static final int EXPIRED = 1_200;

    @Test
    void everyDeletedSagaIsArchivedOnceAndAFailingArchiverKeepsTheSagas(@TempDir Path archive) throws Exception {
        try (TestDatabase database = TestDatabase.postgresql()) {
            JdbcTemplate jdbc = database.jdbc();
            jdbc.update("""
                    INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, input, output,
                                                     cancel_requested, lease_epoch, created_at, updated_at)
                    SELECT 'old-' || g, 'archived-order', '1', 'COMPLETED', '"in-' || g || '"', '"out"', FALSE, 1,
                           now() - interval '40 days', now()
                    FROM generate_series(1, ?) AS g""", EXPIRED);
            jdbc.update("""
                    INSERT INTO agent_saga_step (saga_id, seq, name, kind, status, output, attempts, compensation_attempts)
                    SELECT i.id, s, 'call', 'CALL', 'SUCCEEDED', '"ok"', 1, 0
                    FROM agent_saga_instance i CROSS JOIN generate_series(1, 3) AS s""");
            JsonLinesArchiver files = new JsonLinesArchiver(archive);
            AtomicInteger failuresLeft = new AtomicInteger(3);
            SagaArchiver failingFirst = sagas -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new IOException("the archive volume is not mounted");
                }
                files.archive(sagas);
            };

            try (SagaEngine engine = AgentSaga.builder(database.dataSource()).nodeId("archiving-node")
                    .workflow("archived-order", new ScriptedWorkflow((input, saga) -> input))
                    .retention(SagaRetention.KEEP_ALL.keepFinished(Duration.ofDays(30)).withBatchSize(500)
                            .withInterval(Duration.ofMillis(100)).withDutyCycle(1))
                    .archiver(failingFirst).build()) {
                engine.startup();
                long keptWhileFailing = 0;
                while (failuresLeft.get() > 0) {
                    keptWhileFailing = count(jdbc);
                    Thread.sleep(20);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (count(jdbc) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }

                List<SagaExport> archived = new ArrayList<>();
                try (Stream<Path> days = Files.list(archive)) {
                    for (Path day : days.toList()) {
                        for (String line : Files.readAllLines(day)) {
                            archived.add(SagaExport.fromJson(line));
                        }
                    }
                }

                assertThat(keptWhileFailing).as("nothing deleted while archiving failed").isEqualTo(EXPIRED);
                assertThat(count(jdbc)).isZero();
                assertThat(archived).hasSize(EXPIRED);
                assertThat(archived).extracting(SagaExport::id).doesNotHaveDuplicates();
                assertThat(archived).allSatisfy(saga -> {
                    assertThat(saga.steps()).hasSize(3);
                    assertThat(saga.input()).isEqualTo("\"in-" + saga.id().substring("old-".length()) + "\"");
                });
                assertThat(files.today()).exists();
            }
        }
    }

    private static long count(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM agent_saga_instance", Long.class);
    }
}
