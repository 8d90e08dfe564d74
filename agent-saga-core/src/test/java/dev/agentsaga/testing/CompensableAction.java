package dev.agentsaga.testing;

import java.time.Duration;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;

/** A COMPENSABLE test action: {@code name(input)} out, its undo recorded in the {@link EffectLedger}. */
public final class CompensableAction implements SagaAction<String, String> {

    private final ActionScript script;

    private volatile ActionPolicy policy = TestPolicies.fast();

    public CompensableAction(String name, EffectLedger ledger) {
        this.script = new ActionScript(name, ledger);
    }

    /** Fails the first {@code times} calls per idempotency key, then succeeds. */
    public CompensableAction failingTimes(int times) {
        script.failTimes(times);
        return this;
    }

    /** Fails every call. */
    public CompensableAction alwaysFailing() {
        script.failAlways();
        return this;
    }

    /** Sleeps {@code duration} (interruptibly) in the first {@code calls} calls per key. */
    public CompensableAction sleepingOnFirstCalls(int calls, Duration duration) {
        script.sleepOnFirstCalls(calls, duration);
        return this;
    }

    /** Appends {@code characters} characters to the output. */
    public CompensableAction withOutputPadding(int characters) {
        script.padOutput(characters);
        return this;
    }

    /** Makes every compensation fail ({@code true}) until fixed ({@code false}). */
    public CompensableAction compensationBroken(boolean broken) {
        script.breakCompensation(broken);
        return this;
    }

    public CompensableAction withPolicy(ActionPolicy policy) {
        this.policy = policy;
        return this;
    }

    @Override
    public String execute(String input, ActionContext ctx) throws Exception {
        return script.execute(input, ctx);
    }

    @Override
    public void compensate(String input, String output, ActionContext ctx) {
        script.compensate(input, output, ctx);
    }

    @Override
    public Reversibility reversibility() {
        return Reversibility.COMPENSABLE;
    }

    @Override
    public ActionPolicy policy() {
        return policy;
    }

    @Override
    public String name() {
        return script.name();
    }
}
