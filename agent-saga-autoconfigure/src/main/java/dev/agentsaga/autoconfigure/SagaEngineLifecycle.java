package dev.agentsaga.autoconfigure;

import java.time.Duration;

import org.springframework.context.SmartLifecycle;

import dev.agentsaga.SagaEngine;

/**
 * Starts the engine with the application context and stops it gracefully with it. It starts before and
 * stops after the web server, so requests in flight can still start sagas. It is not paused with its
 * context (Spring's test framework pauses the contexts it caches): an engine that stopped does not start
 * again, and its sagas would wait for the lease of a node that is gone.
 */
public class SagaEngineLifecycle implements SmartLifecycle {

    /** The phase: before the web server starts, after it stops. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final SagaEngine engine;

    private final Duration grace;

    public SagaEngineLifecycle(SagaEngine engine, Duration grace) {
        this.engine = engine;
        this.grace = grace;
    }

    @Override
    public void start() {
        if (!engine.isRunning()) {
            engine.startup();
        }
    }

    @Override
    public void stop() {
        engine.shutdown(grace);
    }

    @Override
    public boolean isRunning() {
        return engine.isRunning();
    }

    /** An engine runs until its context closes: a stopped engine cannot start again. */
    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
