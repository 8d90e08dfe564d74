package dev.agentsaga.autoconfigure.app;

import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaName;

/** A flight, then a hotel. */
@Component
@SagaName("trip")
public class TripWorkflow implements AgentWorkflow<TripRequest, String> {

    private final BookFlight bookFlight;

    private final BookHotel bookHotel;

    public TripWorkflow(BookFlight bookFlight, BookHotel bookHotel) {
        this.bookFlight = bookFlight;
        this.bookHotel = bookHotel;
    }

    @Override
    public String run(TripRequest request, Saga saga) {
        String flight = saga.step(bookFlight, request);
        String hotel = saga.step(bookHotel, request);
        return flight + "+" + hotel;
    }
}
