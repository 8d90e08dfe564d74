package dev.agentsaga.ai;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaView;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;

/** The complete test of an agent that docs/testing.md shows, as it is there. */
@SagaTest
class TestKitExampleTest {

    record Flight(String flight) {
    }

    static final class BookFlight implements SagaAction<Flight, String> {

        private final List<String> bookings = new CopyOnWriteArrayList<>();

        @Override
        public String execute(Flight flight, ActionContext ctx) {
            bookings.add(ctx.idempotencyKey());
            return "booked " + flight.flight();
        }

        @Override
        public void compensate(Flight flight, String booking, ActionContext ctx) {
            bookings.remove(ctx.idempotencyKey());
        }

        List<String> bookings() {
            return bookings;
        }
    }

    static final class TripAgent implements AgentWorkflow<String, String> {

        private final AgentLoop loop;

        TripAgent(ChatModel model, BookFlight bookFlight) {
            this.loop = AgentLoop.builder(model).systemPrompt("You book trips.").tool("bookFlight", bookFlight).build();
        }

        @Override
        public String run(String goal, Saga saga) {
            return loop.run(saga, goal);
        }
    }

    // the test as docs/testing.md shows it
    @Test
    void aCrashAfterTheBookingResumesWithoutBookingOrAskingAgain(SagaTestEnvironment env) {
        ScriptedChatModel model = env.scriptedModel()
                .turn(reply -> reply.toolCall("bookFlight", "{\"flight\":\"TP941\"}"))
                .turn(expect -> expect.lastMessageContains("TP941"), reply -> reply.text("Booked TP941."));
        BookFlight bookFlight = new BookFlight();
        env.configure(engine -> engine.action("bookFlight", bookFlight).workflow("trip", new TripAgent(model, bookFlight)));
        env.crashes().afterEffectOf("bookFlight");

        String id = env.start("trip", "Lisbon on Friday").id();
        env.awaitCrash();
        env.restart();
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).isCompleted()
                .hasStepNames("model", "bookFlight", "model")
                .hasIdempotencyKey("bookFlight", id + ":2");
        assertThat(bookFlight.bookings()).containsExactly(id + ":2", id + ":2");   // the same key twice
        assertThat(model.requests()).hasSize(2);                                   // no turn asked again
    }
}
