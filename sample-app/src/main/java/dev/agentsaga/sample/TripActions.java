package dev.agentsaga.sample;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaName;
import dev.agentsaga.sample.Trips.Charge;
import dev.agentsaga.sample.Trips.ChargeRequest;
import dev.agentsaga.sample.Trips.Email;
import dev.agentsaga.sample.Trips.EmailReceipt;
import dev.agentsaga.sample.Trips.FlightBooking;
import dev.agentsaga.sample.Trips.FlightBookingRequest;
import dev.agentsaga.sample.Trips.FlightOffer;
import dev.agentsaga.sample.Trips.FlightSearch;
import dev.agentsaga.sample.Trips.HotelBooking;
import dev.agentsaga.sample.Trips.HotelBookingRequest;
import dev.agentsaga.sample.Trips.HotelOffer;
import dev.agentsaga.sample.Trips.HotelSearch;

/**
 * The agent's tools, each a saga action discovered as a bean: its name (the bean name, or {@code @SagaName})
 * is the tool name the model calls and the step name in the journal.
 */
public final class TripActions {

    private TripActions() {
    }

    /** Searches flights: READ_ONLY, so it is retried freely and never compensated. */
    @Component
    @SagaName("searchFlights")
    public static class SearchFlights implements SagaAction<FlightSearch, List<FlightOffer>> {
        private final TravelProviders providers;

        public SearchFlights(TravelProviders providers) {
            this.providers = providers;
        }

        public List<FlightOffer> execute(FlightSearch search, ActionContext ctx) {
            providers.logCall(ctx.idempotencyKey(), "flights.search");
            return providers.searchFlights(search.from(), search.to(), search.date());
        }

        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }

        public String description() {
            return "Searches flights from one airport or city to another on a date (YYYY-MM-DD); prices in EUR";
        }
    }

    /** Searches hotels in a city: READ_ONLY. */
    @Component
    @SagaName("searchHotels")
    public static class SearchHotels implements SagaAction<HotelSearch, List<HotelOffer>> {
        private final TravelProviders providers;

        public SearchHotels(TravelProviders providers) {
            this.providers = providers;
        }

        public List<HotelOffer> execute(HotelSearch search, ActionContext ctx) {
            providers.logCall(ctx.idempotencyKey(), "hotels.search");
            return providers.searchHotels(search.city());
        }

        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }

        public String description() {
            return "Searches hotels in a city for a check-in date (YYYY-MM-DD) and a number of nights; prices in EUR";
        }
    }

    /** Books a flight: COMPENSABLE, undone by cancelling the booking. */
    @Component
    @SagaName("bookFlight")
    public static class BookFlight implements SagaAction<FlightBookingRequest, FlightBooking> {
        private final TravelProviders providers;

        public BookFlight(TravelProviders providers) {
            this.providers = providers;
        }

        public FlightBooking execute(FlightBookingRequest request, ActionContext ctx) {
            String id = providers.bookFlight(ctx.idempotencyKey(), request.flightNumber(), request.passenger(),
                    request.priceEur());
            return new FlightBooking(id, request.flightNumber(), request.priceEur());
        }

        public void compensate(FlightBookingRequest request, FlightBooking booking, ActionContext ctx) {
            providers.cancelFlight(ctx.idempotencyKey());
        }

        public String description() {
            return "Books a seat on a flight found by searchFlights";
        }
    }

    /** Books a hotel: COMPENSABLE, undone by cancelling. Fails for good when the hotel is sold out. */
    @Component
    @SagaName("bookHotel")
    public static class BookHotel implements SagaAction<HotelBookingRequest, HotelBooking> {
        private final TravelProviders providers;

        public BookHotel(TravelProviders providers) {
            this.providers = providers;
        }

        public HotelBooking execute(HotelBookingRequest request, ActionContext ctx) {
            int total = request.pricePerNightEur() * request.nights();
            String id = providers.bookHotel(ctx.idempotencyKey(), request.hotel(), "traveller", total);
            return new HotelBooking(id, request.hotel(), request.nights(), total);
        }

        public void compensate(HotelBookingRequest request, HotelBooking booking, ActionContext ctx) {
            providers.cancelHotel(ctx.idempotencyKey());
        }

        public ActionPolicy policy() {
            return ActionPolicy.defaults().withMaxAttempts(2); // a sold-out hotel stays sold out
        }

        public String description() {
            return "Books a room in a hotel found by searchHotels";
        }
    }

    /** Charges the traveller's card: COMPENSABLE, undone by a refund. */
    @Component
    @SagaName("chargeCard")
    public static class ChargeCard implements SagaAction<ChargeRequest, Charge> {
        private final TravelProviders providers;

        public ChargeCard(TravelProviders providers) {
            this.providers = providers;
        }

        public Charge execute(ChargeRequest request, ActionContext ctx) {
            return new Charge(providers.charge(ctx.idempotencyKey(), request.description(), request.amountEur()),
                    request.amountEur());
        }

        public void compensate(ChargeRequest request, Charge charge, ActionContext ctx) {
            providers.refund(ctx.idempotencyKey());
        }

        public String description() {
            return "Charges the traveller's card on file with the total of the trip in EUR";
        }
    }

    /** Sends the confirmation e-mail: IRREVERSIBLE (an e-mail cannot be unsent), so it needs approval. */
    @Component
    @SagaName("sendConfirmation")
    public static class SendConfirmation implements SagaAction<Email, EmailReceipt> {
        private final TravelProviders providers;

        public SendConfirmation(TravelProviders providers) {
            this.providers = providers;
        }

        public EmailReceipt execute(Email email, ActionContext ctx) {
            return new EmailReceipt(providers.sendEmail(ctx.idempotencyKey(), email.to(), email.subject()), email.to());
        }

        public Reversibility reversibility() {
            return Reversibility.IRREVERSIBLE;
        }

        public String description() {
            return "Sends the trip confirmation e-mail to the traveller; call it last, once everything is booked";
        }
    }
}
