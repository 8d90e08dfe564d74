package dev.agentsaga.testing;

import java.time.Duration;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;

/** A READ_ONLY test action: {@code name(input)} out, nothing to undo (it does not override compensate). */
public final class ReadOnlyAction implements SagaAction<String, String> {

    private final ActionScript script;

    private volatile ActionPolicy policy = TestPolicies.fast();

    public ReadOnlyAction(String name, EffectLedger ledger) {
        this.script = new ActionScript(name, ledger);
    }

    /** Fails the first {@code times} calls per idempotency key, then succeeds. */
    public ReadOnlyAction failingTimes(int times) {
        script.failTimes(times);
        return this;
    }

    /** Fails every call. */
    public ReadOnlyAction alwaysFailing() {
        script.failAlways();
        return this;
    }

    /** Sleeps {@code duration} (interruptibly) in the first {@code calls} calls per key. */
    public ReadOnlyAction sleepingOnFirstCalls(int calls, Duration duration) {
        script.sleepOnFirstCalls(calls, duration);
        return this;
    }

    public ReadOnlyAction withPolicy(ActionPolicy policy) {
        this.policy = policy;
        return this;
    }

    @Override
    public String execute(String input, ActionContext ctx) throws Exception {
        return script.execute(input, ctx);
    }

    @Override
    public Reversibility reversibility() {
        return Reversibility.READ_ONLY;
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
