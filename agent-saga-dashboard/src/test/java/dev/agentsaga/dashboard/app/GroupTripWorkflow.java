package dev.agentsaga.dashboard.app;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaChild;
import dev.agentsaga.SagaName;

/**
 * The workflow {@code groupTrip}: one {@link TripWorkflow trip} per goal (goals separated by {@code " + "}),
 * each a child saga of its own, all started at once and then joined in order.
 */
@Component
@SagaName(GroupTripWorkflow.NAME)
public class GroupTripWorkflow implements AgentWorkflow<String, String> {

    public static final String NAME = "groupTrip";

    @Override
    public String run(String goals, Saga saga) {
        List<SagaChild<String>> trips = new ArrayList<>();
        for (String goal : goals.split(" \\+ ")) {
            trips.add(saga.startChild(TripWorkflow.NAME, goal.trim(), String.class));
        }
        List<String> answers = new ArrayList<>();
        for (SagaChild<String> trip : trips) {
            answers.add(trip.join());
        }
        return String.join("\n", answers);
    }
}
