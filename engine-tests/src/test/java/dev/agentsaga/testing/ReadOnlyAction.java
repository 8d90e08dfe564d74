package dev.agentsaga.testing;

import dev.agentsaga.Reversibility;

/** A READ_ONLY test action: {@code name(input)} out, nothing to undo (it does not override compensate). */
public final class ReadOnlyAction extends ScriptedAction<ReadOnlyAction> {

    public ReadOnlyAction(String name, EffectLedger ledger) {
        super(name, ledger, Reversibility.READ_ONLY);
    }

    /** Fails every call. */
    public ReadOnlyAction alwaysFailing() {
        script.failAlways();
        return this;
    }
}
