package dev.agentsaga.testing;

import dev.agentsaga.ActionContext;
import dev.agentsaga.Reversibility;

/** A COMPENSABLE test action: {@code name(input)} out, its undo recorded in the {@link EffectLedger}. */
public final class CompensableAction extends ScriptedAction<CompensableAction> {

    public CompensableAction(String name, EffectLedger ledger) {
        super(name, ledger, Reversibility.COMPENSABLE);
    }

    /** Fails every call. */
    public CompensableAction alwaysFailing() {
        script.failAlways();
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

    @Override
    public void compensate(String input, String output, ActionContext ctx) {
        script.compensate(input, output, ctx);
    }
}
