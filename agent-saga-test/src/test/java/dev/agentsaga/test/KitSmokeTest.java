package dev.agentsaga.test;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaView;
import dev.agentsaga.engine.ReplayReport;

@SagaTest
class KitSmokeTest {

    static final class Book implements SagaAction<String, String> {
        final List<String> keys = new CopyOnWriteArrayList<>();
        final List<String> undone = new CopyOnWriteArrayList<>();

        @Override
        public String execute(String input, ActionContext ctx) {
            keys.add(ctx.idempotencyKey());
            return "booked " + input;
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
            undone.add(ctx.idempotencyKey());
        }
    }

    static final class Trip implements AgentWorkflow<String, String> {
        private final Book book;

        Trip(Book book) {
            this.book = book;
        }

        @Override
        public String run(String input, Saga saga) {
            String flight = saga.step(book, "flight " + input);
            saga.sleep(Duration.ofHours(24));
            String hotel = saga.step(book, "hotel " + input);
            return flight + ", " + hotel;
        }
    }

    @Test
    void crashAfterAnEffectThenRestart(SagaTestEnvironment env) {
        Book book = new Book();
        env.configure(engine -> engine.action("book", book).workflow("trip", new Trip(book)));
        env.crashes().afterEffectOf("book");

        String id = env.start("trip", "Lisbon").id();
        env.awaitCrash();
        long started = System.nanoTime();
        SagaView trip = env.restart() != null ? env.awaitFinal(id) : null;

        assertThatSaga(trip).isCompleted().hasStepNames("book", "sleep", "book");
        assertThat(book.keys).containsExactly(id + ":1", id + ":1", id + ":3");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        Book other = new Book();
        ReplayReport report = SagaReplayer.of(engine -> engine.action("book", other).workflow("trip",
                new Trip(other))).replay(env.export(id));
        assertThat(report.clean()).as(report.detail()).isTrue();
    }
}
