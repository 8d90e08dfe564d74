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
    void runsChildrenAndUndoesThemWithTheirParent() throws InterruptedException {
        Book book = new Book();
        AgentWorkflow<String, String> booker = new AgentWorkflow<>() {
            public String run(String item, Saga saga) {
                return saga.step(book, item);
            }
        };
        AgentWorkflow<List<String>, String> trip = new AgentWorkflow<>() {
            public String run(List<String> items, Saga saga) {
                List<dev.agentsaga.SagaChild<String>> children = new java.util.ArrayList<>();
                for (String item : items) {
                    children.add(saga.startChild(booker, item));
                }
                StringBuilder out = new StringBuilder();
                for (dev.agentsaga.SagaChild<String> child : children) {
                    out.append(child.join()).append(' ');
                }
                return saga.step(book, out.toString().trim());
            }
        };
        try (SagaEngine engine = AgentSaga.builder(dataSource()).action(book).workflow("booker", booker)
                .workflow("familyTrip", trip).pollInterval(Duration.ofMillis(50))
                .defaultPolicy(dev.agentsaga.ActionPolicy.defaults().withBackoff(Duration.ofMillis(1),
                        Duration.ofMillis(5), 1))
                .build()) {
            engine.startup();

            String ok = engine.start("familyTrip", List.of("e", "f")).id();
            String failed = engine.start("familyTrip", List.of("g", "fail")).id();
            String another = engine.start("familyTrip", List.of("h", "i")).id();

            assertThat(awaitRest(engine, ok).output()).isEqualTo("\"booked-booked-e booked-f\"");
            assertThat(awaitRest(engine, failed).status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(awaitRest(engine, failed + ":2").status()).isEqualTo(SagaStatus.FAILED);
            assertThat(awaitRest(engine, failed + ":1").status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThat(log).contains("cancel booked-g");
            assertThat(awaitRest(engine, another).status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(engine.find(ok).orElseThrow().children()).extracting(SagaView.Child::id)
                    .containsExactly(ok + ":1", ok + ":2");
        }
    }

    @Test
    void runsTheSagasOfAConfiguredQueueOneAtATimeHighestPriorityFirst() throws InterruptedException {
        Book book = new Book();
        AgentWorkflow<String, String> errand = new AgentWorkflow<>() {
            public String run(String item, Saga saga) {
                return saga.step(book, item);
            }
        };
        dev.agentsaga.SagaQueue queue = dev.agentsaga.SagaQueue.named("errand").withGlobalConcurrency(1)
                .withPartitionConcurrency(1);
        try (SagaEngine starter = AgentSaga.builder(dataSource()).action(book).workflow("errand", errand).queue(queue)
                .build()) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(starter.start("errand", "q" + i, dev.agentsaga.StartOptions.defaults()
                        .withPartitionKey("p" + i % 2).withPriority(i)).id());
            }
            try (SagaEngine engine = AgentSaga.builder(dataSource()).action(book).workflow("errand", errand)
                    .queue(queue).pollInterval(Duration.ofMillis(50)).build()) {
                engine.startup();
                for (String id : ids) {
                    assertThat(awaitRest(engine, id).status()).isEqualTo(SagaStatus.COMPLETED);
                }
            }
        }
        assertThat(log.stream().filter(line -> line.startsWith("book q")).map(line -> line.substring(5, 7)))
                .containsExactly("q3", "q2", "q1", "q0");
    }

    /** Waits until the saga rests in a status other than PENDING, RUNNING, WAITING or COMPENSATING. */
    private static SagaView awaitRest(SagaEngine engine, String sagaId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        SagaView view = null;
        while (System.nanoTime() < deadline) {
            view = engine.find(sagaId).orElse(null);
            if (view != null && view.status() != SagaStatus.PENDING && view.status() != SagaStatus.RUNNING
                    && view.status() != SagaStatus.WAITING && view.status() != SagaStatus.COMPENSATING) {
                return view;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("saga " + sagaId + " did not rest within 20 s: " + view);
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
