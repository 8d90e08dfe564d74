package dev.agentsaga.ai;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.test.ScriptedChatModel;
import dev.agentsaga.test.TestDatabase;

/** The loop end to end on a scripted model: tools run as journaled steps, the answer comes back. */
class AgentLoopSmokeTest {

    static TestDatabase schema;

    record Flight(String from, String to) {
    }

    static final class SearchFlights implements SagaAction<Flight, String> {
        public String execute(Flight flight, ActionContext ctx) {
            return "TP123 " + flight.from() + "-" + flight.to();
        }

        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }

        public String description() {
            return "Searches flights";
        }
    }

    static final class BookFlight implements SagaAction<String, String> {
        public String execute(String flight, ActionContext ctx) {
            return "booked " + flight + " key " + ctx.idempotencyKey();
        }

        public void compensate(String flight, String booking, ActionContext ctx) {
        }
    }

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void theLoopRunsToolsAsJournaledStepsAndReturnsTheAnswer() {
        SearchFlights search = new SearchFlights();
        BookFlight book = new BookFlight();
        ScriptedChatModel model = ScriptedChatModel.create()
                .turn(reply -> reply.toolCall("call-1", "searchFlights", "{\"from\":\"BER\",\"to\":\"LIS\"}")
                        .usage(100, 20))
                .turn(reply -> reply.toolCall("call-2", "bookFlight", "{\"input\":\"TP123\"}").usage(100, 20))
                .turn(reply -> reply.text("Booked TP123.").usage(100, 20));
        AgentLoop loop = AgentLoop.builder(model).systemPrompt("You book trips.").tool(search).tool(book).build();
        AgentWorkflow<String, String> agent = new AgentWorkflow<>() {
            public String run(String goal, Saga saga) {
                return loop.run(saga, goal);
            }
        };
        try (SagaEngine engine = AgentSaga.builder(schema.dataSource()).action(search).action(book)
                .workflow("agent", agent).build()) {
            engine.startup();

            var handle = engine.start("agent", "Fly me to Lisbon");
            String answer = handle.awaitOutput(String.class, Duration.ofSeconds(10));
            SagaView view = engine.find(handle.id()).orElseThrow();

            assertThat(answer).isEqualTo("Booked TP123.");
            assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(view.steps()).extracting(step -> step.kind() + " " + step.name()).containsExactly(
                    "LLM model", "ACTION searchFlights", "LLM model", "ACTION bookFlight", "LLM model");
            assertThat(view.steps().get(3).output()).contains(handle.id() + ":4");
            assertThatSaga(view).hasIdempotencyKey("bookFlight", handle.id() + ":4");
            assertThat(view.tokensSpent()).isEqualTo(3 * 120);
            assertThat(model.requests()).hasSize(3);
            assertThat(model.requests().get(2).getInstructions()).hasSize(6);
        }
    }
}
