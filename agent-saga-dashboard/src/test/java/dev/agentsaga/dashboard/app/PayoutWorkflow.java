package dev.agentsaga.dashboard.app;

import java.util.Map;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaName;
import dev.agentsaga.dashboard.app.TravelActions.Transfer;
import dev.agentsaga.dashboard.app.TravelActions.TransferMoney;

/** The workflow {@code payout}: plain code with one irreversible transfer. */
@Component
@SagaName(PayoutWorkflow.NAME)
public class PayoutWorkflow implements AgentWorkflow<Transfer, Map<String, Object>> {

    public static final String NAME = "payout";

    private final TransferMoney transferMoney;

    public PayoutWorkflow(TransferMoney transferMoney) {
        this.transferMoney = transferMoney;
    }

    @Override
    public Map<String, Object> run(Transfer transfer, Saga saga) {
        return saga.step(transferMoney, transfer);
    }
}
