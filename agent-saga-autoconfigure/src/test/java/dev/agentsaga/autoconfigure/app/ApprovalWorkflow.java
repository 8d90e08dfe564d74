package dev.agentsaga.autoconfigure.app;

import java.time.Duration;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;

/** A flight, then a wait for a manager's approval. */
@Component("approvalTrip")
public class ApprovalWorkflow implements AgentWorkflow<TripRequest, String> {

    private final BookFlight bookFlight;

    public ApprovalWorkflow(BookFlight bookFlight) {
        this.bookFlight = bookFlight;
    }

    @Override
    public String run(TripRequest request, Saga saga) {
        saga.step(bookFlight, request);
        String approver = saga.awaitSignal("approval", String.class, Duration.ofMinutes(10));
        return "approved by " + approver;
    }
}
