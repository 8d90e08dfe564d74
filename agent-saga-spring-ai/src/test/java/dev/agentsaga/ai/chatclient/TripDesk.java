package dev.agentsaga.ai.chatclient;

import java.util.List;
import java.util.Objects;

import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.annotation.Tool;

import dev.agentsaga.ActionContext;
import dev.agentsaga.Reversibility;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.ToolAction;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * The tools of the ChatClient trip agent, written the Spring AI way: {@code @Tool} methods with their
 * {@link SagaTool} declarations. Every call and every undo is recorded in an {@link EffectLedger} (a
 * downstream that survives a crash) under the idempotency key the tool finds in its {@link ToolContext};
 * the payload of an effect is the call's arguments and its result, so that a test can compare what an
 * undo received with what the call was given and returned.
 */
public class TripDesk {

    public record Flight(String number, String from, String to, String date) {
    }

    public record Booking(String reference, String what) {
    }

    public record Receipt(String reference, int amount, String currency) {
    }

    private final EffectLedger ledger;

    private volatile boolean cardsDeclined;

    public TripDesk(EffectLedger ledger) {
        this.ledger = Objects.requireNonNull(ledger, "ledger must not be null");
    }

    /** Declines every card from now on: chargeCard fails for good. */
    public void declineCards() {
        this.cardsDeclined = true;
    }

    @Tool(description = "Searches flights between two airports on a date")
    @SagaTool(Reversibility.READ_ONLY)
    public List<Flight> searchFlights(String from, String to, String date, ToolContext context) {
        List<Flight> flights = List.of(new Flight("TP941", from, to, date));
        effect("searchFlights", context, from + ", " + to + ", " + date, flights);
        return flights;
    }

    @Tool(description = "Books a seat on a flight for a passenger")
    @SagaTool(value = Reversibility.COMPENSABLE, undo = "cancelFlight")
    public Booking bookFlight(String flight, String passenger, ToolContext context) {
        Booking booking = new Booking("FL-" + key(context), flight + " for " + passenger);
        effect("bookFlight", context, flight + ", " + passenger, booking);
        return booking;
    }

    public void cancelFlight(String flight, String passenger, ToolContext context, Booking booking) {
        undo("bookFlight", context, flight + ", " + passenger, booking);
    }

    @Tool(description = "Books a hotel room in a city")
    @SagaTool(value = Reversibility.COMPENSABLE, undo = "cancelHotel")
    public Booking bookHotel(String city, String checkIn, int nights, ToolContext context) {
        Booking booking = new Booking("HT-" + key(context), nights + " nights in " + city + " from " + checkIn);
        effect("bookHotel", context, city + ", " + checkIn + ", " + nights, booking);
        return booking;
    }

    public void cancelHotel(String city, String checkIn, int nights, ToolContext context, Booking booking) {
        undo("bookHotel", context, city + ", " + checkIn + ", " + nights, booking);
    }

    @Tool(description = "Charges the traveller's card")
    @SagaTool(value = Reversibility.COMPENSABLE, undo = "refundCard")
    public Receipt chargeCard(int amount, String currency, ToolContext context) {
        if (cardsDeclined) {
            ledger.recordAttempt("chargeCard", Kind.EXECUTE, new ToolCallContext(context));
            throw new IllegalStateException("The card was declined");
        }
        Receipt receipt = new Receipt("CC-" + key(context), amount, currency);
        effect("chargeCard", context, amount + ", " + currency, receipt);
        return receipt;
    }

    public void refundCard(int amount, String currency, ToolContext context, Receipt receipt) {
        undo("chargeCard", context, amount + ", " + currency, receipt);
    }

    @Tool(description = "Sends the itinerary to the traveller by e-mail")
    @SagaTool(value = Reversibility.IRREVERSIBLE, approval = true)
    public String sendItinerary(String to, ToolContext context) {
        String sent = "itinerary sent to " + to;
        effect("sendItinerary", context, to, sent);
        return sent;
    }

    /** What an effect of a call records: its arguments, then its result. */
    static String payload(String arguments, Object result) {
        return arguments + " -> " + result;
    }

    private void effect(String tool, ToolContext context, String arguments, Object result) {
        ToolCallContext call = new ToolCallContext(context);
        ledger.recordAttempt(tool, Kind.EXECUTE, call);
        ledger.recordEffect(tool, Kind.EXECUTE, call, payload(arguments, result));
    }

    private void undo(String tool, ToolContext context, String arguments, Object result) {
        ToolCallContext call = new ToolCallContext(context);
        ledger.recordAttempt(tool, Kind.COMPENSATE, call);
        ledger.recordEffect(tool, Kind.COMPENSATE, call, payload(arguments, result));
    }

    private static String key(ToolContext context) {
        return (String) context.getContext().get(ToolAction.IDEMPOTENCY_KEY);
    }

    /**
     * What a tool learns of its step from the {@link ToolContext}, as the ledger records it: the saga and
     * the idempotency key {@code sagaId:seq}. A tool does not see its attempt number; the ledger gets 0.
     */
    record ToolCallContext(ToolContext context) implements ActionContext {

        @Override
        public String sagaId() {
            return (String) context.getContext().get(ToolAction.SAGA_ID);
        }

        @Override
        public int step() {
            String key = idempotencyKey();
            return Integer.parseInt(key.substring(key.lastIndexOf(':') + 1));
        }

        @Override
        public int attempt() {
            return 0;
        }

        @Override
        public String idempotencyKey() {
            return (String) context.getContext().get(ToolAction.IDEMPOTENCY_KEY);
        }

        @Override
        public boolean compensating() {
            return false;
        }
    }
}
