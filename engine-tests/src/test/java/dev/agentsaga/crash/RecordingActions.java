package dev.agentsaga.crash;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.crash.CrashPlan.Moment;
import dev.agentsaga.crash.Downstream.Kind;
import dev.agentsaga.crash.Downstream.Phase;

/**
 * The actions of the crash workflows. Each logs its attempt, passes the crash points and applies its
 * effect through {@link Downstream}; the output is {@code name-step}, so the workflow's result shows
 * which steps fed it.
 */
final class RecordingActions {

    private RecordingActions() {
    }

    /** What every action of one JVM shares: the downstream, where to crash, and how slow to be. */
    record Env(Downstream downstream, CrashPlan plan, Duration pause) {

        Env {
            Objects.requireNonNull(downstream, "downstream must not be null");
            Objects.requireNonNull(plan, "plan must not be null");
            Objects.requireNonNull(pause, "pause must not be null");
        }

        String perform(String action, ActionContext ctx, Phase phase, @Nullable Kind effect, boolean dedupe) {
            long attempt = downstream.begin(ctx, action, phase);
            plan.reached(phase, ctx, Moment.BEFORE_EFFECT);
            if (effect != null && dedupe) {
                downstream.applyOnce(ctx, action, effect);
            }
            else if (effect != null) {
                downstream.applyAlways(ctx, action, effect);
            }
            plan.reached(phase, ctx, Moment.AFTER_EFFECT);
            sleepAWhile();
            downstream.end(attempt, "OK");
            return action + "-" + ctx.step();
        }

        private void sleepAWhile() {
            if (!pause.isZero()) {
                try {
                    Thread.sleep(pause.toMillis());
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A reservation, a charge: an effect deduplicated by key, and its undo. */
    static final class Compensable implements SagaAction<String, String> {

        private final String name;

        private final Env env;

        Compensable(String name, Env env) {
            this.name = name;
            this.env = env;
        }

        @Override
        public String execute(String input, ActionContext ctx) {
            return env.perform(name, ctx, Phase.EXECUTE, Kind.DO, true);
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
            env.perform(name, ctx, Phase.COMPENSATE, Kind.UNDO, true);
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** A lookup: no effect, nothing to undo. */
    static final class ReadOnly implements SagaAction<String, String> {

        private final String name;

        private final Env env;

        ReadOnly(String name, Env env) {
            this.name = name;
            this.env = env;
        }

        @Override
        public String execute(String input, ActionContext ctx) {
            return env.perform(name, ctx, Phase.EXECUTE, null, false);
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** An e-mail: not deduplicated downstream, cannot be undone. */
    static final class Irreversible implements SagaAction<String, String> {

        private final String name;

        private final Env env;

        Irreversible(String name, Env env) {
            this.name = name;
            this.env = env;
        }

        @Override
        public String execute(String input, ActionContext ctx) {
            return env.perform(name, ctx, Phase.EXECUTE, Kind.DO, false);
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.IRREVERSIBLE;
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** A step the downstream always declines, so that the saga compensates. */
    static final class AlwaysFails implements SagaAction<String, String> {

        static final String MESSAGE = "declined by the downstream";

        private final String name;

        private final Env env;

        AlwaysFails(String name, Env env) {
            this.name = name;
            this.env = env;
        }

        @Override
        public String execute(String input, ActionContext ctx) {
            long attempt = env.downstream().begin(ctx, name, Phase.EXECUTE);
            env.plan().reached(Phase.EXECUTE, ctx, Moment.BEFORE_EFFECT);
            env.downstream().end(attempt, "FAILED");
            throw new IllegalStateException(MESSAGE);
        }

        /** Never called by a correct engine: the step never succeeded. Logged so the test sees it if it is. */
        @Override
        public void compensate(String input, String output, ActionContext ctx) {
            env.perform(name, ctx, Phase.COMPENSATE, Kind.UNDO, true);
        }

        @Override
        public ActionPolicy policy() {
            return ActionPolicy.defaults().withMaxAttempts(2).withBackoff(Duration.ofMillis(10), Duration.ofMillis(20),
                    2.0);
        }

        @Override
        public String name() {
            return name;
        }
    }
}
