package dev.agentsaga.ai.chatclient;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.tool.annotation.Tool;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.AgentLoop;
import dev.agentsaga.ai.ChatCompletionsStub;
import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolApproval;
import dev.agentsaga.ai.TripScript;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.EffectLedger.Effect;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * The ChatClient trip agent with @Tool methods against the real OpenAI client and a local
 * chat-completions stub: it runs to completion with every model call and tool call journaled, undoes
 * its bookings with the declared undo methods when a later tool fails for good, does not run a tool
 * nobody declared, and waits for a person's approval before an IRREVERSIBLE tool that needs one.
 */
@SagaTest(database = SagaTest.Database.POSTGRESQL)
class ChatClientTripAgentTest {

    private ChatCompletionsStub stub;

    private EffectLedger ledger;

    private TripDesk desk;

    @BeforeEach
    void startStub(SagaTestEnvironment env) {
        stub = ChatCompletionsStub.start();
        ledger = EffectLedger.create(env.dataSource());
        desk = new TripDesk(ledger);
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void runsToCompletionWithEveryModelCallAnLlmStepAndEveryToolCallAnActionStep(SagaTestEnvironment env) {
        Turn[] trip = TripChat.trip();
        stub.script(trip);
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), AgentLimits.DEFAULTS));

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompleted()
                .hasStepNames("model", "searchFlights", "model", "bookFlight", "model", "bookHotel", "model",
                        "chargeCard", "model")
                .spentTokens(TripScript.tokens(trip)).savedTokens(0).replayedTokens(0);
        assertThat(view.output()).contains(TripScript.ANSWER);
        assertThat(view.steps()).filteredOn(step -> step.kind() == StepKind.ACTION)
                .extracting(StepView::name, StepView::idempotencyKey)
                .containsExactly(tuple("searchFlights", id + ":2"), tuple("bookFlight", id + ":4"),
                        tuple("bookHotel", id + ":6"), tuple("chargeCard", id + ":8"));
        assertThat(view.steps()).filteredOn(step -> step.kind() == StepKind.LLM)
                .extracting(StepView::inputTokens, StepView::outputTokens)
                .containsExactly(tuple(120, 15), tuple(180, 12), tuple(240, 14), tuple(300, 11), tuple(360, 20));
        assertThat(ledger.executed(id)).containsExactly("searchFlights", "bookFlight", "bookHotel", "chargeCard");
        assertThat(ledger.effects(id, Kind.EXECUTE)).extracting(Effect::idempotencyKey)
                .as("each tool saw the key of its step in its ToolContext")
                .containsExactly(id + ":2", id + ":4", id + ":6", id + ":8");
        assertThat(stub.requestCount()).isEqualTo(5);
        assertThat(stub.unscriptedRequests()).isZero();
        assertThat(stub.toolNames(1)).as("the tools offered to the model")
                .containsExactlyInAnyOrder("searchFlights", "bookFlight", "bookHotel", "chargeCard", "sendItinerary");
        assertThat(stub.toolMessages(5)).extracting(m -> m.path("tool_call_id").asString())
                .containsExactly("call_search", "call_flight", "call_hotel", "call_card");
        assertThat(stub.toolMessages(5).get(1).path("content").asString()).contains("FL-" + id + ":4");
    }

    @Test
    void aCardDeclinedForGoodUndoesTheBookingsNewestFirstWithTheirOriginalArgumentsAndResults(
            SagaTestEnvironment env) {
        stub.script(TripChat.trip());
        desk.declineCards();
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), AgentLimits.DEFAULTS));

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompensated().compensatedInOrder("bookHotel", "bookFlight")
                .hasStep(8, StepKind.ACTION, "chargeCard", StepStatus.FAILED);
        assertThat(view.error()).contains("The card was declined");
        assertThat(ledger.attemptCount(id, "chargeCard", Kind.EXECUTE)).as("the default policy's three attempts")
                .isEqualTo(3);
        List<Effect> booked = ledger.effects(id, Kind.EXECUTE);
        List<Effect> undone = ledger.effects(id, Kind.COMPENSATE);
        assertThat(undone).extracting(Effect::action, Effect::idempotencyKey, Effect::requests)
                .as("the undo methods, newest booking first, once each, under the keys of the bookings")
                .containsExactly(tuple("bookHotel", id + ":6", 1), tuple("bookFlight", id + ":4", 1));
        assertThat(undone).extracting(Effect::payload)
                .as("each undo got the call's original arguments and the result recorded for it")
                .containsExactly(payloadOf(booked, "bookHotel"), payloadOf(booked, "bookFlight"));
        assertThat(undone.get(1).payload())
                .isEqualTo(TripDesk.payload("TP941, Ada Lovelace",
                        new TripDesk.Booking("FL-" + id + ":4", "TP941 for Ada Lovelace")));
        assertThat(stub.requestCount()).as("no model call after the failed tool").isEqualTo(4);
    }

    public static class SeatUpgrades {

        final List<String> upgrades = new CopyOnWriteArrayList<>();

        @Tool(description = "Upgrades a booked seat to business class")
        public String upgradeSeat(String flight) {
            upgrades.add(flight);
            return "upgraded " + flight;
        }
    }

    /** The trip agent with one more tool offered on each request, a tool no declaration covers. */
    static final class UpgradingAgent implements AgentWorkflow<String, String> {

        private final ChatClient chat;

        private final Object upgrades;

        UpgradingAgent(ChatClient chat, Object upgrades) {
            this.chat = chat;
            this.upgrades = upgrades;
        }

        @Override
        public String run(String goal, Saga saga) {
            return chat.prompt().user(goal).tools(upgrades).call().content();
        }
    }

    @Test
    void aToolTheModelAsksForThatIsNotDeclaredDoesNotRunAndTheSagaCompensates(SagaTestEnvironment env) {
        stub.script(Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT),
                Turn.toolCalls(200, 10, new ToolCall("call_upgrade", "upgradeSeat", "{\"flight\":\"TP941\"}")),
                Turn.answer("Upgraded.", 220, 5));
        SeatUpgrades upgrades = new SeatUpgrades();
        env.configure(engine -> {
            SagaTools tools = TripChat.tools(desk);
            tools.register(engine);
            engine.workflow("upgradingTrip", new UpgradingAgent(TripChat.chatClient(stub.chatModel(), tools,
                    AgentLimits.DEFAULTS, desk), upgrades));
        });

        String id = env.start("upgradingTrip", TripScript.GOAL).id();
        SagaView view = env.awaitFinal(id);

        assertThat(stub.toolNames(2)).as("the model was offered the undeclared tool").contains("upgradeSeat");
        assertThatSaga(view).isCompensated().hasStepNames("model", "bookFlight", "model")
                .compensatedInOrder("bookFlight")
                .hasErrorContaining("upgradeSeat").hasErrorContaining("not declared");
        assertThat(upgrades.upgrades).as("the undeclared tool did not run").isEmpty();
        assertThat(stub.requestCount()).isEqualTo(2);
    }

    @Test
    void anIrreversibleToolThatNeedsApprovalWaitsForItThenRunsOnce(SagaTestEnvironment env) {
        Turn[] turns = { Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT), Turn.toolCalls(200, 10, TripChat.SEND_ITINERARY),
                Turn.answer("Booked and sent.", 220, 5) };
        stub.script(turns);
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), AgentLimits.DEFAULTS));

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        SagaView waiting = env.awaitStatus(id, SagaStatus.WAITING);

        assertThat(ledger.attemptCount(id, "sendItinerary", Kind.EXECUTE)).as("not sent before approval").isZero();
        assertThat(waiting.steps()).extracting(StepView::name).contains("approval:sendItinerary");

        env.engine().signal(id, AgentLoop.approvalSignal("sendItinerary"), ToolApproval.approve("ops", "looks right"));
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompleted().replayedTokens(TripScript.tokens(turns[0], turns[1]))
                .hasStep(5, StepKind.ACTION, "sendItinerary", StepStatus.SUCCEEDED);
        assertThat(ledger.executed(id)).containsExactly("bookFlight", "sendItinerary");
        assertThat(ledger.attemptCount(id, "bookFlight", Kind.EXECUTE)).isEqualTo(1);
        assertThat(stub.requestCount()).as("the resumed agent asked only the third turn").isEqualTo(3);
    }

    @Test
    void aRejectedToolCallIsNotMadeAndTheSagaCompensates(SagaTestEnvironment env) {
        stub.script(Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT), Turn.toolCalls(200, 10, TripChat.SEND_ITINERARY),
                Turn.answer("Booked and sent.", 220, 5));
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), AgentLimits.DEFAULTS));

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        env.awaitStatus(id, SagaStatus.WAITING);
        env.engine().signal(id, AgentLoop.approvalSignal("sendItinerary"),
                ToolApproval.reject("ops", "wrong address"));
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompensated().compensatedInOrder("bookFlight")
                .hasErrorContaining("sendItinerary").hasErrorContaining("wrong address");
        assertThat(ledger.attemptCount(id, "sendItinerary", Kind.EXECUTE)).isZero();
        assertThat(stub.requestCount()).isEqualTo(2);
    }

    @Test
    void aToolCallNobodyApprovesTimesOutAndTheSagaCompensates(SagaTestEnvironment env) {
        stub.script(Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT), Turn.toolCalls(200, 10, TripChat.SEND_ITINERARY),
                Turn.answer("Booked and sent.", 220, 5));
        AgentLimits limits = new AgentLimits(20, 200_000, 3, Duration.ofHours(4));
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), limits));

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        SagaView waiting = env.awaitStatus(id, SagaStatus.WAITING);
        SagaView view = env.awaitFinal(id);

        assertThat(Duration.between(waiting.updatedAt(), waiting.wakeAt())).as("the approval timeout")
                .isCloseTo(Duration.ofHours(4), Duration.ofMinutes(1));
        assertThatSaga(view).isCompensated().compensatedInOrder("bookFlight")
                .hasErrorContaining("approval:sendItinerary");
        assertThat(ledger.attemptCount(id, "sendItinerary", Kind.EXECUTE)).isZero();
    }

    @Test
    void toolCallsAskedForInOneResponseAreStepsInTheOrderAsked(SagaTestEnvironment env) {
        stub.script(Turn.toolCalls(180, 12, TripScript.BOOK_FLIGHT, TripScript.BOOK_HOTEL),
                Turn.answer(TripScript.ANSWER, 260, 20));
        env.configure(engine -> TripChat.configure(engine, desk, stub.chatModel(), AgentLimits.DEFAULTS));

        String id = env.start(TripChat.WORKFLOW, TripScript.GOAL).id();
        SagaView view = env.awaitFinal(id);

        assertThatSaga(view).isCompleted().hasStepNames("model", "bookFlight", "bookHotel", "model")
                .hasIdempotencyKey("bookHotel", id + ":3");
        assertThat(stub.toolMessages(2)).extracting(m -> m.path("tool_call_id").asString())
                .containsExactly("call_flight", "call_hotel");
        assertThat(stub.toolMessages(2).get(1).path("content").asString()).contains("HT-" + id + ":3");
    }

    private static String payloadOf(List<Effect> effects, String action) {
        return effects.stream().filter(effect -> effect.action().equals(action)).findFirst()
                .orElseThrow(() -> new AssertionError("no effect of " + action + " in " + effects)).payload();
    }
}
