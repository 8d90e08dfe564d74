package dev.agentsaga.autoconfigure.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.ActionContext;
import dev.agentsaga.SagaAction;

/** Books a hotel; there are no rooms in Atlantis (any destination whose name starts with it). */
@Component
public class BookHotel implements SagaAction<TripRequest, String> {

    @Override
    public String execute(TripRequest request, ActionContext ctx) {
        if (request.destination().startsWith("Atlantis")) {
            throw new IllegalStateException("no rooms in " + request.destination());
        }
        return "HT-" + request.destination();
    }

    @Override
    public void compensate(TripRequest request, String booking, ActionContext ctx) {
    }
}
