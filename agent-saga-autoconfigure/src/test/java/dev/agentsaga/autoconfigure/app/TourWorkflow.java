package dev.agentsaga.autoconfigure.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaChild;
import dev.agentsaga.SagaName;

/** Two trips as child sagas, started together and joined in order: to the destination, then to its coast. */
@Component
@SagaName("tour")
public class TourWorkflow implements AgentWorkflow<TripRequest, String> {

    @Override
    public String run(TripRequest request, Saga saga) {
        SagaChild<String> there = saga.startChild("trip", request, String.class);
        SagaChild<String> coast = saga.startChild("trip", new TripRequest(request.destination() + " Coast",
                request.traveller(), request.password()), String.class);
        return there.join() + ", " + coast.join();
    }
}
