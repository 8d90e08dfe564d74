package dev.agentsaga.ai.mcp;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.DriftPolicy;
import dev.agentsaga.SagaView;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;

/**
 * The engine crashes after the agent's first model call is journaled; the MCP server is replaced before the
 * engine restarts. The input schemas of the tools offered are part of the model call's fingerprint: a server
 * whose {@code book_flight} now takes a seat too is drift, and the resumed saga stops; the same server again is not.
 */
@SagaTest
class McpToolDriftTest {

    private TravelMcpServer server = TravelMcpServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void aToolWhoseInputSchemaChangedBeforeTheReplayStopsTheSagaAsDrift(SagaTestEnvironment env) {
        ScriptedChatModel model = crashAfterTheFirstModelCall(env);
        String id = env.start(McpTravelAgent.WORKFLOW, "Book TP941").id();
        env.awaitCrash();

        replaceServer(true);
        env.restart();
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).needsAttention().hasErrorContaining("the request changed since it was recorded (tools)")
                .hasStepNames("model");
        assertThat(trip.errorStep()).as("the model call that drifted").isEqualTo(1);
        assertThat(model.requests()).as("the model is not asked again").hasSize(1);
        assertThat(server.calls("book_flight")).isEmpty();
    }

    @Test
    void theSameToolsAgainResumeTheSaga(SagaTestEnvironment env) {
        ScriptedChatModel model = crashAfterTheFirstModelCall(env);
        String id = env.start(McpTravelAgent.WORKFLOW, "Book TP941").id();
        env.awaitCrash();

        replaceServer(false);
        env.restart();
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).isCompleted().hasStepNames("model", "book_flight", "model");
        assertThat(model.requests()).hasSize(2);
        assertThat(server.calls("book_flight")).hasSize(1);
    }

    private ScriptedChatModel crashAfterTheFirstModelCall(SagaTestEnvironment env) {
        ScriptedChatModel model = env.scriptedModel()
                .turn(reply -> reply.toolCall("book_flight", "{\"flight\":\"TP941\"}"))
                .turn(expect -> expect.lastMessageContains("B-1"), reply -> reply.text("Booked."));
        // each engine connects anew to the server of the moment
        env.configure(engine -> McpTravelAgent.configure(engine.driftPolicy(DriftPolicy.FAIL),
                McpTravelAgent.connect(server.url()), model));
        env.crashes().afterStep(1);
        return model;
    }

    private void replaceServer(boolean seatInBookingSchema) {
        server.close();
        server = TravelMcpServer.start(seatInBookingSchema);
    }
}
