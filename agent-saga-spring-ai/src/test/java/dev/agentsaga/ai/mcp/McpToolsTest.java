package dev.agentsaga.ai.mcp;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.ai.ToolAction;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;

/** A durable ChatClient agent on the tools of a real MCP server, through Spring AI's MCP client. */
@SagaTest
class McpToolsTest {

    private final TravelMcpServer server = TravelMcpServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void anMcpToolCallIsAJournaledStepOfTheToolWithTheReversibilityOfItsAnnotations(SagaTestEnvironment env) {
        ScriptedChatModel model = env.scriptedModel()
                .turn(reply -> reply.toolCall("search_flights", "{\"city\":\"Lisbon\"}"))
                .turn(expect -> expect.lastMessageContains("LH1167"), reply -> reply.text("TP941 or LH1167."));
        env.configure(engine -> McpTravelAgent.configure(engine, McpTravelAgent.connect(server.url()), model));

        String id = env.start(McpTravelAgent.WORKFLOW, "Flights to Lisbon?").id();
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).isCompleted().hasStepNames("model", "search_flights", "model")
                .hasStep(2, StepKind.ACTION, "search_flights", StepStatus.SUCCEEDED)
                .hasIdempotencyKey("search_flights", id + ":2");
        assertThat(trip.steps().get(1).reversibility()).as("readOnlyHint: READ_ONLY").isEqualTo(Reversibility.READ_ONLY);
        assertThat(trip.steps().get(1).output()).as("the journaled result").contains("TP941", "LH1167");
        assertThat(server.calls("search_flights")).hasSize(1);
        assertThat(server.calls("search_flights").get(0).arguments()).isEqualTo(Map.of("city", "Lisbon"));
        assertThat(server.calls("search_flights").get(0).meta()).containsEntry(ToolAction.IDEMPOTENCY_KEY, id + ":2");
    }

    @Test
    void aFailedSagaCallsTheConfiguredCompensatingToolWithTheMappedArguments(SagaTestEnvironment env) {
        ScriptedChatModel model = env.scriptedModel()
                .turn(reply -> reply.toolCall("book_flight", "{\"flight\":\"TP941\"}"))
                .turn(expect -> expect.lastMessageContains("B-1"), reply -> reply.toolCall("charge_card",
                        "{\"amount\":420}"));
        env.configure(engine -> McpTravelAgent.configure(engine, McpTravelAgent.connect(server.url()), model));

        String id = env.start(McpTravelAgent.WORKFLOW, "Book TP941 and pay").id();
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).isCompensated().compensatedInOrder("book_flight");
        assertThat(server.calls("charge_card")).as("declined once, IRREVERSIBLE: not retried").hasSize(1);
        assertThat(server.calls("cancel_booking")).as("the compensating tool, called once").hasSize(1);
        assertThat(server.calls("cancel_booking").get(0).arguments()).as("bookingId from the result, flight from the "
                + "arguments, requestId the idempotency key").isEqualTo(Map.of("bookingId", "B-1", "flight", "TP941",
                        "requestId", id + ":2"));
        assertThat(server.calls("cancel_booking").get(0).meta()).containsEntry(ToolAction.IDEMPOTENCY_KEY, id + ":2")
                .containsEntry(ToolAction.SAGA_ID, id);
    }
}
