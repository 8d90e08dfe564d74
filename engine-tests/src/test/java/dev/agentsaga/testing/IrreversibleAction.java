package dev.agentsaga.testing;

import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.Reversibility;

/** An IRREVERSIBLE test action (a payment, an e-mail): {@code name(input)} out, cannot be undone. */
public final class IrreversibleAction extends ScriptedAction<IrreversibleAction> {

    public IrreversibleAction(String name, EffectLedger ledger) {
        super(name, ledger, Reversibility.IRREVERSIBLE);
    }

    /** Throws {@link OutcomeUnknownException} (without effect) in the first {@code times} calls per key. */
    public IrreversibleAction outcomeUnknownTimes(int times) {
        script.outcomeUnknownTimes(times);
        return this;
    }
}
