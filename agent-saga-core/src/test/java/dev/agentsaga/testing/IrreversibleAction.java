package dev.agentsaga.testing;

import java.time.Duration;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;

/** An IRREVERSIBLE test action (a payment, an e-mail): {@code name(input)} out, cannot be undone. */
public final class IrreversibleAction implements SagaAction<String, String> {

    private final ActionScript script;

    private volatile ActionPolicy policy = TestPolicies.fast();

    public IrreversibleAction(String name, EffectLedger ledger) {
        this.script = new ActionScript(name, ledger);
    }

    /** Fails (a definite failure) the first {@code times} calls per idempotency key, then succeeds. */
    public IrreversibleAction failingTimes(int times) {
        script.failTimes(times);
        return this;
    }

    /** Throws {@link OutcomeUnknownException} (without effect) in the first {@code times} calls per key. */
    public IrreversibleAction outcomeUnknownTimes(int times) {
        script.outcomeUnknownTimes(times);
        return this;
    }

    /** Sleeps {@code duration} (interruptibly) in the first {@code calls} calls per key. */
    public IrreversibleAction sleepingOnFirstCalls(int calls, Duration duration) {
        script.sleepOnFirstCalls(calls, duration);
        return this;
    }

    public IrreversibleAction withPolicy(ActionPolicy policy) {
        this.policy = policy;
        return this;
    }

    @Override
    public String execute(String input, ActionContext ctx) throws Exception {
        return script.execute(input, ctx);
    }

    @Override
    public Reversibility reversibility() {
        return Reversibility.IRREVERSIBLE;
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
