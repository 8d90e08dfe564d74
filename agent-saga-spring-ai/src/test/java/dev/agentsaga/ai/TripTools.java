package dev.agentsaga.ai;

import java.util.Objects;
import java.util.function.Supplier;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.TestPolicies;

/**
 * The tools of the travel agent in these tests: saga actions with record inputs (so that the tool
 * schemas have properties), every call and effect recorded in the {@link EffectLedger} under the
 * step's idempotency key. A JVM started with {@code -D}{@value #HALT_PROPERTY}{@code =name} halts
 * (as {@code kill -9} would) inside that action, after its call is recorded and before its effect.
 */
public final class TripTools {

    /** The system property naming the action inside which the JVM halts. */
    public static final String HALT_PROPERTY = "agentsaga.test.haltIn";

    /** The exit code of a halted JVM, the one a shell reports for {@code kill -9}. */
    public static final int HALT_EXIT_CODE = 137;

    public record FlightQuery(String from, String to, String date) {
    }

    public record FlightBooking(String flight, String passenger) {
    }

    public record HotelBooking(String city, String checkIn, int nights) {
    }

    public record CarRental(String city, int days) {
    }

    public record Email(String to, String subject) {
    }

    public final SearchFlights searchFlights;

    public final BookFlight bookFlight;

    public final BookHotel bookHotel;

    public final RentCar rentCar;

    public final SendEmail sendEmail;

    public TripTools(EffectLedger ledger) {
        this.searchFlights = new SearchFlights(ledger);
        this.bookFlight = new BookFlight(ledger);
        this.bookHotel = new BookHotel(ledger);
        this.rentCar = new RentCar(ledger);
        this.sendEmail = new SendEmail(ledger);
    }

    /** Every tool, for registering them all with an engine. */
    public SagaAction<?, ?>[] all() {
        return new SagaAction<?, ?>[] { searchFlights, bookFlight, bookHotel, rentCar, sendEmail };
    }

    /**
     * What every trip tool does: record its calls and effects, halt or fail when told to. Not generic on
     * purpose: each tool declares {@code SagaAction<Input, String>} itself, so its input type is a class.
     */
    public abstract static class LedgerTool {

        private final String name;

        private final String description;

        private final Reversibility reversibility;

        private final EffectLedger ledger;

        private volatile boolean failing;

        LedgerTool(String name, String description, Reversibility reversibility, EffectLedger ledger) {
            this.name = name;
            this.description = description;
            this.reversibility = reversibility;
            this.ledger = Objects.requireNonNull(ledger, "ledger must not be null");
        }

        /** Fails every call from now on (a permanent failure). */
        public void failing() {
            this.failing = true;
        }

        String run(Object input, ActionContext ctx, Supplier<String> result) {
            ledger.recordAttempt(name, Kind.EXECUTE, ctx);
            if (name.equals(System.getProperty(HALT_PROPERTY))) {
                System.out.println("TripTools: halting inside " + name + " at " + ctx.idempotencyKey());
                System.out.flush();
                Runtime.getRuntime().halt(HALT_EXIT_CODE);
            }
            if (failing) {
                throw new IllegalStateException(name + " is unavailable");
            }
            if (input == null) {
                throw new IllegalArgumentException(name + " got no input");
            }
            ledger.recordEffect(name, Kind.EXECUTE, ctx, String.valueOf(input));
            return result.get();
        }

        void undo(String output, ActionContext ctx) {
            ledger.recordAttempt(name, Kind.COMPENSATE, ctx);
            ledger.recordEffect(name, Kind.COMPENSATE, ctx, output);
        }

        public Reversibility reversibility() {
            return reversibility;
        }

        public ActionPolicy policy() {
            return TestPolicies.fast(2);
        }

        public String description() {
            return description;
        }

        public String name() {
            return name;
        }
    }

    public static final class SearchFlights extends LedgerTool implements SagaAction<FlightQuery, String> {

        SearchFlights(EffectLedger ledger) {
            super("searchFlights", "Searches flights between two airports on a date", Reversibility.READ_ONLY,
                    ledger);
        }

        @Override
        public String execute(FlightQuery query, ActionContext ctx) {
            return run(query, ctx, () -> "TP941 " + query.from() + "-" + query.to() + " " + query.date() + " 08:05");
        }
    }

    public static final class BookFlight extends LedgerTool implements SagaAction<FlightBooking, String> {

        BookFlight(EffectLedger ledger) {
            super("bookFlight", "Books a seat on a flight for a passenger", Reversibility.COMPENSABLE, ledger);
        }

        @Override
        public String execute(FlightBooking booking, ActionContext ctx) {
            return run(booking, ctx,
                    () -> "flight " + booking.flight() + " booked for " + booking.passenger() + " as "
                            + ctx.idempotencyKey());
        }

        @Override
        public void compensate(FlightBooking booking, String output, ActionContext ctx) {
            undo(output, ctx);
        }
    }

    public static final class BookHotel extends LedgerTool implements SagaAction<HotelBooking, String> {

        BookHotel(EffectLedger ledger) {
            super("bookHotel", "Books a hotel room in a city", Reversibility.COMPENSABLE, ledger);
        }

        @Override
        public String execute(HotelBooking booking, ActionContext ctx) {
            return run(booking, ctx,
                    () -> booking.nights() + " nights in " + booking.city() + " booked as " + ctx.idempotencyKey());
        }

        @Override
        public void compensate(HotelBooking booking, String output, ActionContext ctx) {
            undo(output, ctx);
        }
    }

    public static final class RentCar extends LedgerTool implements SagaAction<CarRental, String> {

        RentCar(EffectLedger ledger) {
            super("rentCar", "Rents a car in a city", Reversibility.COMPENSABLE, ledger);
        }

        @Override
        public String execute(CarRental rental, ActionContext ctx) {
            return run(rental, ctx,
                    () -> "car in " + rental.city() + " for " + rental.days() + " days as " + ctx.idempotencyKey());
        }

        @Override
        public void compensate(CarRental rental, String output, ActionContext ctx) {
            undo(output, ctx);
        }
    }

    public static final class SendEmail extends LedgerTool implements SagaAction<Email, String> {

        SendEmail(EffectLedger ledger) {
            super("sendEmail", "Sends an e-mail; cannot be taken back", Reversibility.IRREVERSIBLE, ledger);
        }

        @Override
        public String execute(Email email, ActionContext ctx) {
            return run(email, ctx, () -> "sent '" + email.subject() + "' to " + email.to());
        }
    }
}
