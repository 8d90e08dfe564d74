package dev.agentsaga.autoconfigure.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaName;

/** A tour as a child saga, whose trips are children of their own: a tree two levels deep. */
@Component
@SagaName("grandTour")
public class GrandTourWorkflow implements AgentWorkflow<TripRequest, String> {

    @Override
    public String run(TripRequest request, Saga saga) {
        return "grand " + saga.child("tour", request, String.class);
    }
}
