package dev.agentsaga.engine;

import java.util.function.BooleanSupplier;

/** A saga running on this engine, and what it should know between its steps. */
final class LocalRun implements Interruption {

    private final BooleanSupplier engineRunning;

    private volatile boolean cancel;

    LocalRun(boolean cancel, BooleanSupplier engineRunning) {
        this.cancel = cancel;
        this.engineRunning = engineRunning;
    }

    void cancel() {
        this.cancel = true;
    }

    @Override
    public boolean cancelRequested() {
        return cancel;
    }

    @Override
    public boolean stopping() {
        return !engineRunning.getAsBoolean();
    }
}
