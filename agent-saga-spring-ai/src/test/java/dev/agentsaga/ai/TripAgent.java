package dev.agentsaga.ai;

import java.util.Objects;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;

/** The travel agent: a workflow that hands the goal to an {@link AgentLoop}. */
public final class TripAgent implements AgentWorkflow<String, String> {

    private final String name;

    private final AgentLoop loop;

    public TripAgent(String name, AgentLoop loop) {
        this.name = Objects.requireNonNull(name, "name must not be null");
        this.loop = Objects.requireNonNull(loop, "loop must not be null");
    }

    @Override
    public String run(String goal, Saga saga) {
        return loop.run(saga, goal);
    }

    @Override
    public String name() {
        return name;
    }
}
