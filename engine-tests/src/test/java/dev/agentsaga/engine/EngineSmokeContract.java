package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;

/**
 * A saga that completes, one that compensates, and durable waits, end to end through
 * {@link AgentSaga#builder}; run per database, the dialect found from the data source.
 */
abstract class EngineSmokeContract {

    final List<String> log = new CopyOnWriteArrayList<>();

    abstract DataSource dataSource();

    class Book implements SagaAction<String, String> {
        public String execute(String input, ActionContext ctx) {
            log.add("book " + input + " " + ctx.idempotencyKey());
            if (input.equals("fail")) {
                throw new IllegalStateException("no rooms");
            }
            return "booked-" + input;
        }

        public void compensate(String input, String output, ActionContext ctx) {
            log.add("cancel " + output);
        }
    }

    @Test
    void runsAndCompensates() {
        Book book = new Book();
        AgentWorkflow<List<String>, String> trip = new AgentWorkflow<>() {
            public String run(List<String> items, Saga saga) {
                StringBuilder out = new StringBuilder();
                for (String item : items) {
                    out.append(saga.step(book, item)).append(' ');
                }
                saga.now();
                return out.toString().trim();
            }
        };
        try (SagaEngine engine = AgentSaga.builder(dataSource()).action(book).workflow("trip", trip)
                .defaultPolicy(dev.agentsaga.ActionPolicy.defaults().withBackoff(Duration.ofMillis(1),
                        Duration.ofMillis(5), 2))
                .build()) {
            engine.startup();

            String ok = engine.start("trip", List.of("a", "b")).awaitOutput(String.class, Duration.ofSeconds(10));
            SagaView failed = engine.start("trip", List.of("c", "d", "fail")).await(Duration.ofSeconds(10));

            assertThat(ok).isEqualTo("booked-a booked-b");
            assertThat(failed.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(log).contains("cancel booked-d", "cancel booked-c");
            assertThat(log.indexOf("cancel booked-d")).isLessThan(log.indexOf("cancel booked-c"));
            assertThat(failed.steps()).hasSize(3);
            assertThat(failed.steps().get(2).attempts()).isEqualTo(3);
        }
    }

    @Test
    void aSleepingSagaIsClaimedWhenDueAndASignalWakesIt() {
        AgentWorkflow<String, String> waits = new AgentWorkflow<>() {
            public String run(String input, Saga saga) {
                saga.sleep(Duration.ofMillis(200));
                return input + " " + saga.awaitSignal("go", String.class, Duration.ofMinutes(1));
            }
        };
        try (SagaEngine engine = AgentSaga.builder(dataSource()).workflow("waits", waits)
                .pollInterval(Duration.ofMillis(50)).build()) {
            engine.startup();

            var handle = engine.start("waits", "approved");
            engine.signal(handle.id(), "go", "yes");

            assertThat(handle.awaitOutput(String.class, Duration.ofSeconds(10))).isEqualTo("approved yes");
        }
    }
}
