package dev.agentsaga.testing;

import java.time.Duration;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;

/**
 * A test action driven by an {@link ActionScript}: {@code name(input)} out, every call and effect
 * recorded in the {@link EffectLedger}; subclasses fix the reversibility.
 */
public abstract class ScriptedAction<S extends ScriptedAction<S>> implements SagaAction<String, String> {

    final ActionScript script;

    private final Reversibility reversibility;

    private volatile ActionPolicy policy = TestPolicies.fast();

    ScriptedAction(String name, EffectLedger ledger, Reversibility reversibility) {
        this.script = new ActionScript(name, ledger);
        this.reversibility = reversibility;
    }

    /** Fails (a definite failure) the first {@code times} calls per idempotency key, then succeeds. */
    public S failingTimes(int times) {
        script.failTimes(times);
        return self();
    }

    /** Sleeps {@code duration} (interruptibly) in the first {@code calls} calls per key. */
    public S sleepingOnFirstCalls(int calls, Duration duration) {
        script.sleepOnFirstCalls(calls, duration);
        return self();
    }

    public S withPolicy(ActionPolicy policy) {
        this.policy = policy;
        return self();
    }

    @Override
    public String execute(String input, ActionContext ctx) throws Exception {
        return script.execute(input, ctx);
    }

    @Override
    public Reversibility reversibility() {
        return reversibility;
    }

    @Override
    public ActionPolicy policy() {
        return policy;
    }

    @Override
    public String name() {
        return script.name();
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }
}
