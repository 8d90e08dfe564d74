package dev.agentsaga.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * The database drops the engine's connections in the middle of a run (pg_terminate_backend, as a
 * failover or a restart would): the engine reconnects, retries, and loses nothing; no saga is
 * compensated for it and no effect happens twice.
 */
class ConnectionLossTest extends EngineTestSupport {

    static final int SAGAS = 40;

    @Test
    void sagasFinishOnceWhenTheDatabaseDropsTheEnginesConnections() throws Exception {
        String application = "agent-saga-loss-" + UUID.randomUUID().toString().substring(0, 8);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(schema.jdbcUrl() + "&ApplicationName=" + application);
        config.setMaximumPoolSize(8);
        List<CompensableAction> actions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            actions.add(new CompensableAction("loss" + i, ledger).sleepingOnFirstCalls(1, Duration.ofMillis(15)));
        }
        ScriptedWorkflow workflow = new ScriptedWorkflow((input, saga) -> {
            String out = input;
            for (CompensableAction action : actions) {
                out = saga.step(action, input);
            }
            return out;
        });
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            AgentSaga.Builder builder = AgentSaga.builder(dataSource).workflow("loss", workflow)
                    .pollInterval(Duration.ofMillis(100)).leaseDuration(Duration.ofSeconds(2));
            actions.forEach(builder::action);
            SagaEngine engine = started(builder);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SAGAS; i++) {
                ids.add(engine.start("loss", "s" + i).id());
            }

            int terminated = 0;
            for (int round = 0; round < 6; round++) {
                Thread.sleep(120);
                terminated += schema.jdbc().queryForList("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        + "WHERE application_name = ?", Boolean.class, application).size();
            }
            awaitAllCompleted(engine, ids);

            assertThat(terminated).as("connections dropped").isPositive();
            for (String id : ids) {
                List<EffectLedger.Effect> effects = ledger.effects(id, EffectLedger.Kind.EXECUTE);
                assertThat(effects).extracting(EffectLedger.Effect::idempotencyKey).doesNotHaveDuplicates()
                        .hasSize(actions.size());
                assertThat(effects).allMatch(effect -> effect.requests() >= 1);
                assertThat(ledger.compensated(id)).isEmpty();
            }
            engine.shutdown(Duration.ofSeconds(2));
        }
    }

    private static void awaitAllCompleted(SagaEngine engine, List<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long done = engine.list(SagaQuery.all().withWorkflow("loss").withStatuses(SagaStatus.COMPLETED)
                    .withPage(0, 1)).total();
            if (done == ids.size()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not every saga completed: " + engine.list(SagaQuery.all().withWorkflow("loss")
                .withPage(0, 100)).items());
    }
}
