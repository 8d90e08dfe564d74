package dev.agentsaga.ai.chatclient;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.tool.annotation.Tool;

import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaChatModel;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.test.SagaReplayer;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;
import dev.agentsaga.testing.TableSearch;

/**
 * Erasing the saga of a ChatClient agent: the model's messages (its tool call's arguments, its answer),
 * the tool's output and the goal leave every table; the timeline of model calls and tool steps stays.
 */
@SagaTest(database = SagaTest.Database.POSTGRESQL)
class ChatClientErasureTest {

    public static class FlightTools {

        @Tool(description = "Books a seat on a flight for a passenger")
        @SagaTool(value = Reversibility.COMPENSABLE, undo = "cancelFlight")
        public String bookFlight(String flight, String passenger, ToolContext context) {
            return "booked " + flight + " for " + passenger;
        }

        public void cancelFlight(String flight, String passenger, ToolContext context, String booking) {
        }
    }

    @Test
    void erasingAnAgentsSagaLeavesNothingOfItsConversationAndKeepsItsModelCallsAndTokens(SagaTestEnvironment env) {
        String customer = "Grace-Hopper-" + UUID.randomUUID().toString().substring(0, 8);
        ScriptedChatModel model = env.scriptedModel()
                .turn(reply -> reply.toolCall("bookFlight", "{\"flight\":\"TP941\",\"passenger\":\"" + customer
                        + "\"}").usage(100, 10))
                .turn(expect -> expect.lastMessageContains("booked TP941 for " + customer),
                        reply -> reply.text("Booked TP941 for " + customer + ".").usage(150, 5));
        AgentConfiguration agent = new AgentConfiguration(model);
        env.configure(agent::configure);
        String id = env.start("trip", "Book TP941 on Friday for " + customer).id();
        SagaView before = env.awaitFinal(id);
        assertThat(TableSearch.columnsContaining(env.database(), customer)).containsExactlyInAnyOrder(
                "instance.input", "instance.output", "step.input", "step.output");

        env.engine().erase(id);

        assertThat(TableSearch.columnsContaining(env.database(), customer)).isEmpty();
        SagaView after = env.find(id);
        assertThat(after).usingRecursiveComparison()
                .ignoringFields("input", "output", "erasedAt", "steps.input", "steps.output").isEqualTo(before);
        assertThatSaga(after).isCompleted().hasStepNames("model", "bookFlight", "model")
                .hasIdempotencyKey("bookFlight", id + ":2");
        assertThat(after.tokensSpent()).isEqualTo(265);
        assertThat(after.steps()).extracting(step -> step.output()).containsOnly(SagaView.ERASED);
        assertThatThrownBy(() -> SagaReplayer.of(agent::configure).replay(env.export(id)))
                .isInstanceOf(InvalidSagaStateException.class)
                .hasMessageStartingWith("The journal of saga " + id + " was erased at " + after.erasedAt());
    }

    /** The agent on a ChatClient over the scripted model, its flight tool made durable. */
    private record AgentConfiguration(ScriptedChatModel model) {

        void configure(AgentSaga.Builder engine) {
            FlightTools flights = new FlightTools();
            SagaTools tools = new SagaTools().addToolObject("flightTools", flights, null);
            AgentLimits limits = AgentLimits.DEFAULTS;
            ChatClient chat = ChatClient.builder(SagaChatModel.wrap(model, limits), ObservationRegistry.NOOP, null,
                    null, ToolCallingAdvisor.builder().toolCallingManager(new SagaToolCallingManager(
                            DefaultToolCallingManager.builder().build(), tools, limits)))
                    .defaultSystem("You book flights.").defaultTools(flights).build();
            tools.register(engine);
            engine.workflow("trip", new TripChat.Agent(chat));
        }
    }
}
