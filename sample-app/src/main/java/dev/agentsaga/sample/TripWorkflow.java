package dev.agentsaga.sample;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaName;
import dev.agentsaga.ai.AgentLoop;
import dev.agentsaga.sample.TripActions.BookFlight;
import dev.agentsaga.sample.TripActions.BookHotel;
import dev.agentsaga.sample.TripActions.ChargeCard;
import dev.agentsaga.sample.TripActions.SearchFlights;
import dev.agentsaga.sample.TripActions.SearchHotels;
import dev.agentsaga.sample.TripActions.SendConfirmation;

/**
 * The workflow {@code trip}: the user's goal in, the agent's final answer out. The agent loop journals each
 * model call and runs each tool call as a saga step; the confirmation e-mail waits for an approval signal.
 */
@Component
@SagaName("trip")
public class TripWorkflow implements AgentWorkflow<String, String> {

    public static final String NAME = "trip";

    public static final String APPROVAL_SIGNAL = AgentLoop.approvalSignal("sendConfirmation");

    static final String SYSTEM_PROMPT = """
            You are a travel agent. Plan and book the trip the user asks for with the tools:
            search flights and hotels first, then book the flight, book the hotel, charge the card with the total,
            and send the confirmation e-mail to the traveller last. Stay within the user's budget.
            Answer with a short summary of what you booked.""";

    private final AgentLoop loop;

    public TripWorkflow(ChatModel model, SearchFlights searchFlights, SearchHotels searchHotels, BookFlight bookFlight,
            BookHotel bookHotel, ChargeCard chargeCard, SendConfirmation sendConfirmation) {
        this.loop = AgentLoop.builder(model).systemPrompt(SYSTEM_PROMPT)
                .tool(searchFlights).tool(searchHotels).tool(bookFlight).tool(bookHotel).tool(chargeCard)
                .tool(sendConfirmation)
                .requireApproval("sendConfirmation")
                .maxTurns(12).maxTokens(100_000).loopGuard(3)
                .build();
    }

    @Override
    public String run(String goal, Saga saga) {
        return loop.run(saga, goal);
    }
}
