package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ScriptedWorkflow;

/** An action whose types come from a generic base class gets its journaled payloads back as those types. */
class GenericActionTypesTest extends EngineTestSupport {

    record Room(String hotel, int nights) {
    }

    /** A base class that leaves the input type to its subclasses. */
    abstract static class Booking<I> implements SagaAction<I, List<String>> {

        final List<I> undone = new CopyOnWriteArrayList<>();

        @Override
        public List<String> execute(I input, ActionContext ctx) {
            return List.of("booked", ctx.idempotencyKey());
        }

        @Override
        public void compensate(I input, List<String> output, ActionContext ctx) {
            undone.add(input);
        }
    }

    static final class BookRoom extends Booking<Room> {
    }

    @Test
    void compensationReadsTheInputAsTheTypeTheBaseClassIsBoundTo() {
        BookRoom book = new BookRoom();
        ScriptedWorkflow workflow = new ScriptedWorkflow((input, saga) -> {
            List<String> booked = saga.step(book, new Room("Lisboa Plaza", 3));
            throw new IllegalStateException("no flight after " + booked.get(0));
        });
        SagaEngine engine = started(engineBuilder().action(book).workflow("generic-types", workflow));

        SagaView view = engine.start("generic-types", "x").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(book.undone).containsExactly(new Room("Lisboa Plaza", 3));
    }
}
