package dev.agentsaga.autoconfigure.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.ActionContext;
import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;

/** Charges the card; the payment provider always times out, so an operator must say what happened. */
@Component
public class ChargeCard implements SagaAction<TripRequest, String> {

    @Override
    public String execute(TripRequest request, ActionContext ctx) {
        throw new OutcomeUnknownException("the payment provider timed out");
    }

    @Override
    public Reversibility reversibility() {
        return Reversibility.IRREVERSIBLE;
    }
}
