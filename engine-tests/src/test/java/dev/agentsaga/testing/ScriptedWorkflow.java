package dev.agentsaga.testing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;

/** A workflow whose body a test writes as a lambda; counts how often it was run (first run and replays). */
public final class ScriptedWorkflow implements AgentWorkflow<String, String> {

    /** The body of the workflow. */
    @FunctionalInterface
    public interface Body {
        String run(String input, Saga saga) throws Exception;
    }

    private final Body body;

    private final String version;

    private final AtomicInteger runs = new AtomicInteger();

    public ScriptedWorkflow(Body body) {
        this("1", body);
    }

    public ScriptedWorkflow(String version, Body body) {
        this.version = Objects.requireNonNull(version, "version must not be null");
        this.body = Objects.requireNonNull(body, "body must not be null");
    }

    @Override
    public String run(String input, Saga saga) throws Exception {
        runs.incrementAndGet();
        return body.run(input, saga);
    }

    @Override
    public String version() {
        return version;
    }

    /** How often {@link #run} was entered. */
    public int runs() {
        return runs.get();
    }
}
