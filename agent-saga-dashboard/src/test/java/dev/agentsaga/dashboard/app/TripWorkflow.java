package dev.agentsaga.dashboard.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaName;
import dev.agentsaga.ai.AgentLoop;
import dev.agentsaga.dashboard.app.TravelActions.BookFlight;
import dev.agentsaga.dashboard.app.TravelActions.BookHotel;
import dev.agentsaga.dashboard.app.TravelActions.ChargeCard;
import dev.agentsaga.dashboard.app.TravelActions.SearchFlights;
import dev.agentsaga.dashboard.app.TravelActions.SendConfirmation;

/** The workflow {@code trip}: an agent on {@link AgentLoop} whose confirmation e-mail waits for approval. */
@Component
@SagaName(TripWorkflow.NAME)
public class TripWorkflow implements AgentWorkflow<String, String> {

    public static final String NAME = "trip";

    private final AgentLoop loop;

    public TripWorkflow(SearchFlights searchFlights, BookFlight bookFlight, BookHotel bookHotel, ChargeCard chargeCard,
            SendConfirmation sendConfirmation) {
        this.loop = AgentLoop.builder(new TravelAgentModel())
                .systemPrompt("You are a travel agent. Book what the traveller asks for, then confirm by e-mail.")
                .tool(searchFlights).tool(bookFlight).tool(bookHotel).tool(chargeCard).tool(sendConfirmation)
                .requireApproval("sendConfirmation")
                .build();
    }

    @Override
    public String run(String goal, Saga saga) {
        return loop.run(saga, goal);
    }
}
