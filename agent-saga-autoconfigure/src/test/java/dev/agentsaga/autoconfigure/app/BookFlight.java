package dev.agentsaga.autoconfigure.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.ActionContext;
import dev.agentsaga.SagaAction;

/** Books a flight; cancelling it is the compensation. */
@Component
public class BookFlight implements SagaAction<TripRequest, String> {

    private final FlightDesk desk;

    public BookFlight(FlightDesk desk) {
        this.desk = desk;
    }

    @Override
    public String execute(TripRequest request, ActionContext ctx) {
        return desk.book(request.destination());
    }

    @Override
    public void compensate(TripRequest request, String booking, ActionContext ctx) {
        desk.cancel(request.destination());
    }
}
