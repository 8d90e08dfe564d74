package dev.agentsaga.dashboard.app;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaName;

/** The travel agent's tools and the payout's transfer, each a saga action bean. */
public final class TravelActions {

    private TravelActions() {
    }

    public record FlightSearch(String to, String date) {
    }

    public record FlightBooking(String flight, String passenger, int priceEur) {
    }

    public record HotelBooking(String hotel, String city, int nights) {
    }

    public record Payment(String card, int amountEur) {
    }

    public record Email(String to, String subject) {
    }

    public record Transfer(String iban, int amountEur) {
    }

    @Component
    @SagaName("searchFlights")
    public static class SearchFlights implements SagaAction<FlightSearch, List<Map<String, Object>>> {
        private final TravelDesk desk;

        public SearchFlights(TravelDesk desk) {
            this.desk = desk;
        }

        public List<Map<String, Object>> execute(FlightSearch search, ActionContext ctx) {
            return desk.searchFlights(search.to());
        }

        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }

        public ActionPolicy policy() {
            return ActionPolicy.defaults().withMaxAttempts(2);
        }

        public String description() {
            return "Searches flights to a city on a date";
        }
    }

    @Component
    @SagaName("bookFlight")
    public static class BookFlight implements SagaAction<FlightBooking, Map<String, Object>> {
        private final TravelDesk desk;

        public BookFlight(TravelDesk desk) {
            this.desk = desk;
        }

        public Map<String, Object> execute(FlightBooking booking, ActionContext ctx) {
            return Map.of("bookingId", desk.book(ctx.idempotencyKey(), booking.flight()), "flight", booking.flight());
        }

        public void compensate(FlightBooking booking, Map<String, Object> result, ActionContext ctx) {
            desk.cancel(ctx.idempotencyKey(), "");
        }

        public String description() {
            return "Books a seat on a flight";
        }
    }

    @Component
    @SagaName("bookHotel")
    public static class BookHotel implements SagaAction<HotelBooking, Map<String, Object>> {
        private final TravelDesk desk;

        public BookHotel(TravelDesk desk) {
            this.desk = desk;
        }

        public Map<String, Object> execute(HotelBooking booking, ActionContext ctx) {
            return Map.of("bookingId", desk.book(ctx.idempotencyKey(), booking.hotel()), "hotel", booking.hotel());
        }

        public void compensate(HotelBooking booking, Map<String, Object> result, ActionContext ctx) {
            desk.cancel(ctx.idempotencyKey(), booking.hotel());
        }

        public String description() {
            return "Books a hotel room";
        }
    }

    @Component
    @SagaName("chargeCard")
    public static class ChargeCard implements SagaAction<Payment, Map<String, Object>> {
        private final TravelDesk desk;

        public ChargeCard(TravelDesk desk) {
            this.desk = desk;
        }

        public Map<String, Object> execute(Payment payment, ActionContext ctx) {
            return Map.of("chargeId", desk.charge(ctx.idempotencyKey(), payment.card(), payment.amountEur()),
                    "amountEur", payment.amountEur());
        }

        public void compensate(Payment payment, Map<String, Object> result, ActionContext ctx) {
            desk.cancel(ctx.idempotencyKey(), "");
        }

        public ActionPolicy policy() {
            return ActionPolicy.defaults().withMaxAttempts(2);
        }

        public String description() {
            return "Charges the traveller's card";
        }
    }

    @Component
    @SagaName("sendConfirmation")
    public static class SendConfirmation implements SagaAction<Email, Map<String, Object>> {
        public Map<String, Object> execute(Email email, ActionContext ctx) {
            return Map.of("messageId", "msg-" + Math.abs(ctx.idempotencyKey().hashCode() % 10_000), "to", email.to());
        }

        public Reversibility reversibility() {
            return Reversibility.IRREVERSIBLE;
        }

        public String description() {
            return "Sends the confirmation e-mail";
        }
    }

    /** Transfers money: IRREVERSIBLE, and a transfer over 10,000 EUR hangs past its time-out, leaving it in doubt. */
    @Component
    @SagaName("transferMoney")
    public static class TransferMoney implements SagaAction<Transfer, Map<String, Object>> {
        public Map<String, Object> execute(Transfer transfer, ActionContext ctx) throws InterruptedException {
            if (transfer.amountEur() > 10_000) {
                Thread.sleep(Duration.ofMinutes(1).toMillis());
            }
            return Map.of("transferId", "tr-" + ctx.idempotencyKey(), "amountEur", transfer.amountEur());
        }

        public Reversibility reversibility() {
            return Reversibility.IRREVERSIBLE;
        }

        public ActionPolicy policy() {
            return ActionPolicy.noRetries().withTimeout(Duration.ofMillis(300));
        }
    }
}
