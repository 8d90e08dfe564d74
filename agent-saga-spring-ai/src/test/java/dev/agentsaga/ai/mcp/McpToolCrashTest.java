package dev.agentsaga.ai.mcp;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.ai.ToolAction;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;

/**
 * A durable agent calls the tools of a real MCP server (in the test JVM, on a loopback port) from a child JVM
 * that is killed with SIGKILL; an engine in the test JVM, with a client of its own, resumes the saga. The
 * server counts the calls it receives.
 */
@SagaTest(database = SagaTest.Database.POSTGRESQL)
class McpToolCrashTest {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

    private final TravelMcpServer server = TravelMcpServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void aSagaKilledAfterAnMcpCallResumesWithoutCallingTheToolAgain(SagaTestEnvironment env) throws Exception {
        String id = "mcp-kill-" + UUID.randomUUID().toString().substring(0, 8);
        ChildJvm child = McpAgentWorker.launch(id, env, server.url(), id, "book_flight", "{\"flight\":\"TP941\"}");
        awaitLine(child, McpAgentWorker.ASKED_AGAIN);
        child.kill();
        assertThat(server.calls("book_flight")).as("calls before the kill").hasSize(1);

        ScriptedChatModel model = env.scriptedModel()
                .turn(expect -> expect.lastMessageContains("B-1"), reply -> reply.text("Booked TP941: B-1.").usage(150, 5));
        env.configure(engine -> McpTravelAgent.configure(engine, McpTravelAgent.connect(server.url()), model));
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).isCompleted().hasStepNames("model", "book_flight", "model")
                .hasStep(2, StepKind.ACTION, "book_flight", StepStatus.SUCCEEDED)
                .hasIdempotencyKey("book_flight", id + ":2");
        assertThat(trip.output()).contains("Booked TP941: B-1.");
        assertThat(server.calls("book_flight")).as("the resumed saga does not call the MCP tool again").hasSize(1);
        assertThat(server.calls("book_flight").get(0).meta()).as("the call's _meta carries the step's key")
                .containsEntry(ToolAction.IDEMPOTENCY_KEY, id + ":2").containsEntry(ToolAction.SAGA_ID, id);
        assertThat(model.requests()).as("the model answered only the turn after the tool call").hasSize(1);
    }

    @Test
    void anMcpToolWithoutReadOnlyHintInFlightAtTheKillLeavesTheSagaNeedingAttention(SagaTestEnvironment env)
            throws Exception {
        server.hang("send_email");
        String id = "mcp-doubt-" + UUID.randomUUID().toString().substring(0, 8);
        ChildJvm child = McpAgentWorker.launch(id, env, server.url(), id, "send_email",
                "{\"to\":\"ada@example.org\",\"subject\":\"Your trip\"}");
        server.awaitHangingCall("send_email", CHILD_TIMEOUT);
        child.kill();

        ScriptedChatModel model = env.scriptedModel();
        env.configure(engine -> McpTravelAgent.configure(engine, McpTravelAgent.connect(server.url()), model));
        SagaView trip = env.awaitFinal(id);

        assertThatSaga(trip).needsAttention().hasErrorContaining("step 2 (send_email) is IRREVERSIBLE")
                .hasStepNames("model", "send_email")
                .hasStep(2, StepKind.ACTION, "send_email", StepStatus.STARTED);
        assertThat(trip.steps().get(1).reversibility()).as("no readOnlyHint: IRREVERSIBLE")
                .isEqualTo(Reversibility.IRREVERSIBLE);
        assertThat(server.calls("send_email")).as("the e-mail in doubt is not sent again").hasSize(1);
        assertThat(model.requests()).as("the model is not asked").isEmpty();
    }

    private static void awaitLine(ChildJvm child, String line) throws InterruptedException {
        long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
        while (child.lines().stream().noneMatch(line::equals)) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                child.kill();
                throw new AssertionError("The child did not print '" + line + "'\n" + child.tail(60));
            }
            Thread.sleep(50);
        }
    }
}
