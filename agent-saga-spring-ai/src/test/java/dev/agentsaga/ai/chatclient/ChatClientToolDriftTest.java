package dev.agentsaga.ai.chatclient;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.annotation.Tool;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.AgentLoop;
import dev.agentsaga.ai.ChatCompletionsStub;
import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolApproval;
import dev.agentsaga.ai.TripScript;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;

/**
 * A ChatClient agent recorded with one version of its @Tool methods and resumed (after a wait for
 * approval, so that its model calls replay) by an engine whose tools bean changed a tool's description
 * or its parameters: what the model reads changed, so under the default drift policy (FAIL) the saga
 * stops as NEEDS_ATTENTION naming the tools as the part of the request that changed.
 */
@SagaTest
class ChatClientToolDriftTest {

    static final ToolCall FIND_FLIGHT = new ToolCall("call_find", "findFlight", "{\"flight\":\"TP941\"}");

    /** What every version of the desk sends. */
    static final List<String> SENT = new CopyOnWriteArrayList<>();

    /** The tools when the saga was recorded. */
    public static class Desk {

        @Tool(description = "Looks up a flight by its number")
        @SagaTool(Reversibility.READ_ONLY)
        public String findFlight(String flight) {
            return flight + " ZRH-LIS 08:05";
        }

        @Tool(description = "Sends the itinerary to the traveller by e-mail")
        @SagaTool(value = Reversibility.IRREVERSIBLE, approval = true)
        public String sendItinerary(String to) {
            SENT.add(to);
            return "sent to " + to;
        }
    }

    /** The same tools, findFlight described otherwise. */
    public static class DeskWithAnotherDescription {

        @Tool(description = "Looks up a flight by its number and tells its times and its price")
        @SagaTool(Reversibility.READ_ONLY)
        public String findFlight(String flight) {
            return flight + " ZRH-LIS 08:05";
        }

        @Tool(description = "Sends the itinerary to the traveller by e-mail")
        @SagaTool(value = Reversibility.IRREVERSIBLE, approval = true)
        public String sendItinerary(String to) {
            SENT.add(to);
            return "sent to " + to;
        }
    }

    /** The same tools, findFlight with one more parameter. */
    public static class DeskWithOtherParameters {

        @Tool(description = "Looks up a flight by its number")
        @SagaTool(Reversibility.READ_ONLY)
        public String findFlight(String flight, String date) {
            return flight + " ZRH-LIS " + date + " 08:05";
        }

        @Tool(description = "Sends the itinerary to the traveller by e-mail")
        @SagaTool(value = Reversibility.IRREVERSIBLE, approval = true)
        public String sendItinerary(String to) {
            SENT.add(to);
            return "sent to " + to;
        }
    }

    private ChatCompletionsStub stub;

    @BeforeEach
    void startStub() {
        stub = ChatCompletionsStub.start();
        SENT.clear();
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void aToolDescriptionChangedBetweenRunAndReplayIsToolDriftUnderFail(SagaTestEnvironment env) {
        SagaView view = recordThenResumeWith(env, new DeskWithAnotherDescription());

        assertDriftOfTheTools(view);
    }

    @Test
    void toolParametersChangedBetweenRunAndReplayAreToolDriftUnderFail(SagaTestEnvironment env) {
        SagaView view = recordThenResumeWith(env, new DeskWithOtherParameters());

        assertDriftOfTheTools(view);
    }

    @Test
    void theSameToolsReplayAndTheAgentGoesOn(SagaTestEnvironment env) {
        SagaView view = recordThenResumeWith(env, new Desk());

        assertThatSaga(view).isCompleted();
        assertThat(SENT).containsExactly("ada@example.org");
        assertThat(stub.requestCount()).isEqualTo(3);
    }

    /**
     * Runs the agent with {@link Desk} until it waits for the approval of sendItinerary, restarts the
     * engine with {@code resumedDesk}, approves, and waits for the saga to rest.
     */
    private SagaView recordThenResumeWith(SagaTestEnvironment env, Object resumedDesk) {
        stub.script(Turn.toolCalls(100, 10, FIND_FLIGHT), Turn.toolCalls(120, 10, TripChat.SEND_ITINERARY),
                Turn.answer("Sent.", 150, 10));
        AtomicReference<Object> desk = new AtomicReference<>(new Desk());
        env.configure(engine -> {
            SagaTools tools = new SagaTools().addToolObject("desk", desk.get(), null);
            tools.register(engine);
            engine.workflow("driftingTrip", new TripChat.Agent(TripChat.chatClient(stub.chatModel(), tools,
                    AgentLimits.DEFAULTS, desk.get())));
        });
        String id = env.start("driftingTrip", TripScript.GOAL).id();
        env.awaitStatus(id, SagaStatus.WAITING);
        assertThat(stub.requestCount()).isEqualTo(2);

        desk.set(resumedDesk);
        env.restart();
        env.engine().signal(id, AgentLoop.approvalSignal("sendItinerary"), ToolApproval.approve("ops", "ok"));
        return env.awaitFinal(id);
    }

    private void assertDriftOfTheTools(SagaView view) {
        assertThatSaga(view).needsAttention()
                .hasErrorContaining("the request changed since it was recorded (tools)");
        assertThat(view.errorStep()).as("the first model call replayed").isEqualTo(1);
        assertThat(SENT).as("the e-mail is not sent").isEmpty();
        assertThat(stub.requestCount()).as("the model is not asked again").isEqualTo(2);
    }
}
