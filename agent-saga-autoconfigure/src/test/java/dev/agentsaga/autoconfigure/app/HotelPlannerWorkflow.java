package dev.agentsaga.autoconfigure.app;

import java.util.Objects;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaName;

/** A model turn that picks a hotel (which one depends on the model asked), then the booking it asked for. */
@Component
@SagaName("planner")
public class HotelPlannerWorkflow implements AgentWorkflow<TripRequest, String> {

    @Override
    public String run(TripRequest request, Saga saga) {
        PlannerModel.Turn turn = Objects.requireNonNull(saga.journal(new PlannerModel(request.destination(),
                PlannerModel.SMALL)), "a turn is recorded");
        String hotel = turn.hotel();
        return saga.call("bookRoom", String.class, () -> "RM-" + hotel);
    }
}
