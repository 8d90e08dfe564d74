package dev.agentsaga.autoconfigure.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;

/** Charges a card and returns the receipt. */
@Component("payment")
public class PaymentWorkflow implements AgentWorkflow<TripRequest, String> {

    private final ChargeCard chargeCard;

    public PaymentWorkflow(ChargeCard chargeCard) {
        this.chargeCard = chargeCard;
    }

    @Override
    public String run(TripRequest request, Saga saga) {
        return saga.step(chargeCard, request);
    }
}
