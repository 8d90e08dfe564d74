package dev.agentsaga.engine;

import java.util.function.BooleanSupplier;

/** A saga running on this engine, and what it should know between its steps. */
final class LocalRun implements Interruption {

    private final BooleanSupplier engineRunning;

    private volatile boolean cancel;

    private volatile boolean claimedAgain;

    LocalRun(boolean cancel, BooleanSupplier engineRunning) {
        this.cancel = cancel;
        this.engineRunning = engineRunning;
    }

    void cancel() {
        this.cancel = true;
    }

    /** The saga was claimed again, and given back, while this run of it was still ending here. */
    void claimedAgain() {
        this.claimedAgain = true;
    }

    boolean wasClaimedAgain() {
        return claimedAgain;
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
