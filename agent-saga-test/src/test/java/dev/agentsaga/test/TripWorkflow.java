package dev.agentsaga.test;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;

/**
 * A trip to a destination: optionally a model call that plans it, then the given actions in order.
 * Returns what each step returned, joined.
 */
final class TripWorkflow implements AgentWorkflow<String, String> {

    private final List<TripAction> steps;

    private final @Nullable Planner planner;

    TripWorkflow(List<TripAction> steps, @Nullable Planner planner) {
        this.steps = List.copyOf(steps);
        this.planner = planner;
    }

    @Override
    public String run(String destination, Saga saga) {
        List<String> done = new ArrayList<>();
        if (planner != null) {
            done.add(saga.journal(planner.plan(destination)));
        }
        for (TripAction step : steps) {
            done.add(saga.step(step, destination));
        }
        return String.join("; ", done);
    }
}
