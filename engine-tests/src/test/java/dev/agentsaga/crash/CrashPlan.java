package dev.agentsaga.crash;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionContext;
import dev.agentsaga.crash.Downstream.Phase;

/**
 * Where a {@link CrashWorker} halts its JVM: inside the execution or the compensation of the step
 * with a given sequence number, before or after the action applied its effect. Halting is
 * {@code Runtime.halt}: no shutdown hooks, no finally blocks, no journal write, as with {@code kill -9}.
 *
 * <p>Written on the command line as {@code EXECUTE:3:AFTER_EFFECT}, or {@code NONE}.
 */
record CrashPlan(@Nullable Phase phase, int step, @Nullable Moment moment) {

    /** The exit code of a halted worker, the one a shell reports for {@code kill -9}. */
    static final int HALT_EXIT_CODE = 137;

    static final CrashPlan NONE = new CrashPlan(null, 0, null);

    /** Whether the action has applied its effect when the JVM halts. */
    enum Moment { BEFORE_EFFECT, AFTER_EFFECT }

    static CrashPlan execute(int step, Moment moment) {
        return new CrashPlan(Phase.EXECUTE, step, moment);
    }

    static CrashPlan compensate(int step, Moment moment) {
        return new CrashPlan(Phase.COMPENSATE, step, moment);
    }

    static CrashPlan parse(String text) {
        if (text.equals("NONE")) {
            return NONE;
        }
        String[] parts = text.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("A crash plan is NONE or PHASE:STEP:MOMENT, was '" + text + "'");
        }
        return new CrashPlan(Phase.valueOf(parts[0]), Integer.parseInt(parts[1]), Moment.valueOf(parts[2]));
    }

    boolean crashes() {
        return phase != null;
    }

    /** Halts the JVM when the action is at this plan's point. */
    void reached(Phase phase, ActionContext ctx, Moment moment) {
        if (this.phase == phase && step == ctx.step() && Objects.equals(this.moment, moment)) {
            System.out.println("CrashWorker: halting at " + this + " in " + ctx.idempotencyKey() + ", attempt "
                    + ctx.attempt());
            System.out.flush();
            Runtime.getRuntime().halt(HALT_EXIT_CODE);
        }
    }

    @Override
    public String toString() {
        return crashes() ? phase + ":" + step + ":" + moment : "NONE";
    }
}
