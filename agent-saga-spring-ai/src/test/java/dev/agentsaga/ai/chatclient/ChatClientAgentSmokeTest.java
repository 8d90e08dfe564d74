package dev.agentsaga.ai.chatclient;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.tool.annotation.Tool;

import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaChatModel;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolAction;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;

/** A ChatClient agent with @Tool methods, made durable without Spring Boot: it crashes after a booking and resumes. */
@SagaTest
class ChatClientAgentSmokeTest {

    public static class FlightTools {

        final List<String> bookings = new CopyOnWriteArrayList<>();

        final List<String> cancellations = new CopyOnWriteArrayList<>();

        @Tool(description = "Books a flight by number")
        @SagaTool(value = Reversibility.COMPENSABLE, undo = "cancelFlight")
        public String bookFlight(String flight, ToolContext context) {
            bookings.add((String) context.getContext().get(ToolAction.IDEMPOTENCY_KEY));
            return "booked " + flight;
        }

        public void cancelFlight(String flight, ToolContext context, String booking) {
            cancellations.add(flight + " / " + booking);
        }
    }

    @Test
    void aChatClientAgentResumesAfterACrashWithoutAskingOrBookingAgain(SagaTestEnvironment env) {
        ScriptedChatModel model = env.scriptedModel()
                .turn(reply -> reply.toolCall("bookFlight", "{\"flight\":\"TP941\"}").usage(100, 10))
                .turn(expect -> expect.lastMessageContains("booked TP941"), reply -> reply.text("Booked.").usage(150, 5));
        FlightTools flights = new FlightTools();
        SagaTools tools = new SagaTools().addToolObject("flightTools", flights, null);
        AgentLimits limits = AgentLimits.DEFAULTS;
        ChatClient chat = ChatClient.builder(SagaChatModel.wrap(model, limits), ObservationRegistry.NOOP, null, null,
                ToolCallingAdvisor.builder().toolCallingManager(new SagaToolCallingManager(
                        DefaultToolCallingManager.builder().build(), tools, limits)))
                .defaultSystem("You book flights.").defaultTools(flights).build();
        env.configure(engine -> {
            tools.register(engine);
            engine.workflow("trip", new TripChat.Agent(chat));
        });
        env.crashes().afterEffectOf("bookFlight");

        String id = env.start("trip", "TP941 on Friday").id();
        env.awaitCrash();
        env.restart();
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).isCompleted().hasStepNames("model", "bookFlight", "model")
                .hasIdempotencyKey("bookFlight", id + ":2");
        assertThat(trip.output()).contains("Booked.");
        assertThat(flights.bookings).containsExactly(id + ":2", id + ":2");
        assertThat(model.requests()).hasSize(2);
    }
}
