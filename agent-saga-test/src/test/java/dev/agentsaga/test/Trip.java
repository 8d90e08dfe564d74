package dev.agentsaga.test;

import java.util.List;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.Reversibility;

/**
 * The trip of the kit's tests: five actions on one {@link Ledger}, searchFlights (READ_ONLY), then
 * bookFlight, bookHotel, chargeCard and sendConfirmation (COMPENSABLE), run in that order by the
 * workflow {@value #WORKFLOW}; and rentCar, which the trip does not use unless a test's workflow asks.
 */
final class Trip {

    static final String WORKFLOW = "trip";

    static final List<String> STEPS = List.of("searchFlights", "bookFlight", "bookHotel", "chargeCard",
            "sendConfirmation");

    final Ledger ledger;

    final TripAction searchFlights;

    final TripAction bookFlight;

    final TripAction bookHotel;

    final TripAction chargeCard;

    final TripAction sendConfirmation;

    final TripAction rentCar;

    Trip(Ledger ledger) {
        this.ledger = ledger;
        this.searchFlights = new TripAction("searchFlights", Reversibility.READ_ONLY, ledger);
        this.bookFlight = new TripAction("bookFlight", Reversibility.COMPENSABLE, ledger);
        this.bookHotel = new TripAction("bookHotel", Reversibility.COMPENSABLE, ledger);
        this.chargeCard = new TripAction("chargeCard", Reversibility.COMPENSABLE, ledger);
        this.sendConfirmation = new TripAction("sendConfirmation", Reversibility.COMPENSABLE, ledger);
        this.rentCar = new TripAction("rentCar", Reversibility.COMPENSABLE, ledger);
    }

    Trip() {
        this(Ledger.inMemory());
    }

    /** The five steps of the trip, in order. */
    List<TripAction> steps() {
        return List.of(searchFlights, bookFlight, bookHotel, chargeCard, sendConfirmation);
    }

    /** The trip's workflow: the five steps in order, no model. */
    TripWorkflow workflow() {
        return new TripWorkflow(steps(), null);
    }

    /** Registers every action and the trip's workflow. */
    void register(AgentSaga.Builder engine) {
        register(engine, workflow());
    }

    /** Registers every action and {@code workflow} under the trip's name. */
    void register(AgentSaga.Builder engine, TripWorkflow workflow) {
        List.of(searchFlights, bookFlight, bookHotel, chargeCard, sendConfirmation, rentCar).forEach(engine::action);
        engine.workflow(WORKFLOW, workflow);
    }

    /** The idempotency key of step {@code seq} of saga {@code sagaId}, as the engine makes it. */
    static String key(String sagaId, int seq) {
        return sagaId + ":" + seq;
    }
}
