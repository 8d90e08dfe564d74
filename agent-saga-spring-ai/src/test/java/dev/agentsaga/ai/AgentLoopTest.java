package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.testing.EffectLedger.Kind;
import tools.jackson.databind.JsonNode;

/**
 * The durable agent loop against the real OpenAI client and a scripted model: tool calls become saga
 * steps keyed by the saga, the answer comes back, tokens are counted, a failing tool compensates, and
 * arguments the model got wrong go back to the model instead of failing the saga.
 */
class AgentLoopTest extends AgentTestSupport {

    @Test
    void toolCallingAgentRunsEachToolOnceAndReturnsTheAnswer() {
        Turn[] trip = TripScript.trip();
        stub.script(trip);
        SagaEngine engine = started(agentEngine()
                .workflow(new TripAgent("tripCompletes", TripScript.tripLoop(stub.chatModel(), tools).build())));

        SagaHandle handle = engine.start("tripCompletes", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(handle.awaitOutput(String.class, REST)).isEqualTo(TripScript.ANSWER);
        assertThat(view.steps()).as("timeline%s", describe(view))
                .extracting(StepView::kind, StepView::name, StepView::status)
                .containsExactly(
                        tuple(StepKind.LLM, "model", StepStatus.SUCCEEDED),
                        tuple(StepKind.ACTION, "searchFlights", StepStatus.SUCCEEDED),
                        tuple(StepKind.LLM, "model", StepStatus.SUCCEEDED),
                        tuple(StepKind.ACTION, "bookFlight", StepStatus.SUCCEEDED),
                        tuple(StepKind.LLM, "model", StepStatus.SUCCEEDED),
                        tuple(StepKind.ACTION, "bookHotel", StepStatus.SUCCEEDED),
                        tuple(StepKind.LLM, "model", StepStatus.SUCCEEDED));
        assertThat(ledger.executed(handle.id())).containsExactly("searchFlights", "bookFlight", "bookHotel");
        for (String tool : List.of("searchFlights", "bookFlight", "bookHotel")) {
            assertThat(ledger.attemptCount(handle.id(), tool, Kind.EXECUTE)).as("calls of %s", tool).isEqualTo(1);
        }
        assertThat(ledger.effects(handle.id(), Kind.EXECUTE)).extracting(e -> e.idempotencyKey())
                .as("idempotency keys come from the saga, never from the model's tool-call ids")
                .containsExactly(handle.id() + ":2", handle.id() + ":4", handle.id() + ":6")
                .noneMatch(key -> key.contains("call_"));
        assertEffectsOncePerKeyFromTheJournal(view);
        assertThat(stub.requestCount()).as("model requests").isEqualTo(4);
        assertThat(stub.unscriptedRequests()).isZero();
    }

    @Test
    void tokensAreRecordedPerModelStepAndPerSaga() {
        Turn[] trip = TripScript.trip();
        stub.script(trip);
        SagaEngine engine = started(agentEngine()
                .workflow(new TripAgent("tripTokens", TripScript.tripLoop(stub.chatModel(), tools).build())));

        SagaHandle handle = engine.start("tripTokens", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(steps(view, StepKind.LLM)).extracting(StepView::inputTokens, StepView::outputTokens)
                .containsExactly(tuple(120, 15), tuple(180, 12), tuple(240, 14), tuple(300, 20));
        assertThat(steps(view, StepKind.ACTION)).extracting(StepView::inputTokens, StepView::outputTokens)
                .as("steps that are not model calls have no tokens")
                .containsOnly(tuple(null, null));
        assertThat(view.tokensSpent()).isEqualTo(TripScript.tokens(trip));
        assertThat(view.tokensReplayed()).as("nothing was replayed in one uninterrupted run").isZero();
        assertThat(view.tokensSaved()).as("nothing was recovered in one uninterrupted run").isZero();
    }

    @Test
    void theModelSeesTheToolsAndEveryToolResultUnderItsCallId() {
        stub.script(TripScript.trip());
        SagaEngine engine = started(agentEngine()
                .workflow(new TripAgent("tripConversation", TripScript.tripLoop(stub.chatModel(), tools).build())));

        SagaHandle handle = engine.start("tripConversation", TripScript.GOAL);
        awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(stub.toolNames(1)).containsExactlyInAnyOrder("searchFlights", "bookFlight", "bookHotel");
        JsonNode hotel = tool(stub.request(1), "bookHotel");
        assertThat(hotel.path("function").path("description").asString()).isEqualTo("Books a hotel room in a city");
        assertThat(propertyNames(hotel.path("function").path("parameters")))
                .as("the schema of bookHotel, from its input type").contains("city", "checkIn", "nights");
        List<JsonNode> first = stub.messages(1);
        assertThat(first).extracting(m -> m.path("role").asString()).containsExactly("system", "user");
        assertThat(first.get(0).path("content").toString()).contains(TripScript.SYSTEM_PROMPT);
        assertThat(first.get(1).path("content").toString()).contains(TripScript.GOAL);
        List<JsonNode> last = stub.messages(4);
        assertThat(last).extracting(m -> m.path("role").asString())
                .containsExactly("system", "user", "assistant", "tool", "assistant", "tool", "assistant", "tool");
        assertThat(stub.toolMessages(4)).extracting(m -> m.path("tool_call_id").asString())
                .containsExactly("call_search", "call_flight", "call_hotel");
        assertThat(stub.toolMessages(4).get(2).path("content").toString())
                .as("the hotel tool's result").contains("3 nights in Lisbon booked as " + handle.id() + ":6");
    }

    @Test
    void aLaterToolThatFailsPermanentlyCompensatesTheBookedToolsInReverseOrder() {
        tools.rentCar.failing();
        stub.script(
                Turn.toolCalls(120, 15, TripScript.SEARCH),
                Turn.toolCalls(180, 30, TripScript.BOOK_FLIGHT, TripScript.BOOK_HOTEL),
                Turn.toolCalls(260, 14, new ToolCall("call_car", "rentCar", "{\"city\":\"Lisbon\",\"days\":3}")));
        AgentLoop loop = TripScript.tripLoop(stub.chatModel(), tools).tool(tools.rentCar).build();
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripFailsLater", loop)));

        SagaHandle handle = engine.start("tripFailsLater", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPENSATED);

        assertThat(ledger.executed(handle.id())).containsExactly("searchFlights", "bookFlight", "bookHotel");
        assertThat(ledger.compensated(handle.id())).as("compensations, in order").containsExactly("bookHotel",
                "bookFlight");
        assertThat(actionSteps(view, "bookHotel")).singleElement().extracting(StepView::status)
                .isEqualTo(StepStatus.COMPENSATED);
        assertThat(actionSteps(view, "bookFlight")).singleElement().extracting(StepView::status)
                .isEqualTo(StepStatus.COMPENSATED);
        assertThat(actionSteps(view, "searchFlights")).singleElement().extracting(StepView::status)
                .as("a READ_ONLY tool has nothing to undo").isEqualTo(StepStatus.SUCCEEDED);
        assertThat(actionSteps(view, "rentCar")).singleElement().extracting(StepView::status)
                .isEqualTo(StepStatus.FAILED);
        assertThat(view.error()).contains("rentCar");
        assertEffectsOncePerKeyFromTheJournal(view);
        assertThat(stub.requestCount()).as("no model request after the failure").isEqualTo(3);
    }

    @Test
    void argumentsThatDoNotParseGoBackToTheModelAsAnErrorWithoutAStep() {
        ToolCall wrong = new ToolCall("call_hotel_wrong", "bookHotel",
                "{\"city\":\"Lisbon\",\"checkIn\":\"2026-12-01\",\"nights\":\"three\"}");
        stub.script(
                Turn.toolCalls(120, 15, wrong),
                Turn.toolCalls(180, 14, TripScript.BOOK_HOTEL),
                Turn.answer("Booked three nights in Lisbon.", 240, 10));
        SagaEngine engine = started(agentEngine()
                .workflow(new TripAgent("tripWrongArguments", TripScript.tripLoop(stub.chatModel(), tools).build())));

        SagaHandle handle = engine.start("tripWrongArguments", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(stub.toolMessages(2)).as("tool results the model saw after its wrong call").singleElement()
                .satisfies(result -> {
                    assertThat(result.path("tool_call_id").asString()).isEqualTo("call_hotel_wrong");
                    assertThat(result.path("content").toString()).containsIgnoringCase("error");
                });
        assertThat(view.output()).contains("Booked three nights in Lisbon.");
        assertThat(view.steps()).as("timeline%s", describe(view)).extracting(StepView::kind, StepView::name)
                .containsExactly(tuple(StepKind.LLM, "model"), tuple(StepKind.LLM, "model"),
                        tuple(StepKind.ACTION, "bookHotel"), tuple(StepKind.LLM, "model"));
        assertThat(ledger.attempts(handle.id(), Kind.EXECUTE)).as("calls of the action").singleElement()
                .satisfies(attempt -> assertThat(attempt.idempotencyKey()).isEqualTo(handle.id() + ":3"));
        assertThat(stub.requestCount()).isEqualTo(3);
    }

    @Test
    void aToolOfferedUnderAnotherNameRunsItsAction() {
        stub.script(
                Turn.toolCalls(100, 10, new ToolCall("call_room", "reserveRoom", TripScript.BOOK_HOTEL.arguments())),
                Turn.answer("Reserved.", 150, 10));
        AgentLoop loop = AgentLoop.builder(stub.chatModel())
                .systemPrompt(TripScript.SYSTEM_PROMPT)
                .tool("reserveRoom", tools.bookHotel)
                .build();
        SagaEngine engine = started(agentEngine().workflow(new TripAgent("tripRenamedTool", loop)));

        SagaHandle handle = engine.start("tripRenamedTool", TripScript.GOAL);
        SagaView view = awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(stub.toolNames(1)).containsExactly("reserveRoom");
        assertThat(ledger.executed(handle.id())).containsExactly("bookHotel");
        assertThat(actionSteps(view, "bookHotel")).singleElement().extracting(StepView::idempotencyKey)
                .isEqualTo(handle.id() + ":2");
        assertThat(view.output()).contains("Reserved.");
    }

    private static JsonNode tool(JsonNode request, String name) {
        for (JsonNode tool : request.path("tools")) {
            if (name.equals(tool.path("function").path("name").asString())) {
                return tool;
            }
        }
        throw new AssertionError("the request offers no tool " + name + ": " + request.path("tools"));
    }

    private static List<String> propertyNames(JsonNode schema) {
        return List.copyOf(schema.path("properties").propertyNames());
    }
}
