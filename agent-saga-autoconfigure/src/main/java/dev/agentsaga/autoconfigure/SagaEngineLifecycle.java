package dev.agentsaga.autoconfigure;

import java.time.Duration;

import org.springframework.context.SmartLifecycle;

import dev.agentsaga.SagaEngine;

/**
 * Starts the engine with the application context and stops it gracefully with it. It starts before and
 * stops after the web server, so requests in flight can still start sagas.
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

    @Override
    public int getPhase() {
        return PHASE;
    }
}
