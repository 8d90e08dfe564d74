package dev.agentsaga.dashboard.app;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.stereotype.Component;

/**
 * The outside world of the travel agent: flights, hotels, cards and mail, with the troubles a test asks
 * for by name. Searching flights to Atlantis fails, and to Avalon until its airport {@link #openAirport opens};
 * searching flights to Slowtown, and cancelling a room
 * at the Slowcancel Inn, block until {@link #open()}; a room at the Nocancel Inn cannot be cancelled while
 * {@link #hotelCancellationsDown()} holds; a declined card is declined.
 */
@Component
public class TravelDesk {

    public static final String SLOW_HOTEL = "Slowcancel Inn";

    public static final String STUCK_HOTEL = "Nocancel Inn";

    private final CountDownLatch gate = new CountDownLatch(1);

    private final AtomicBoolean cancellationsDown = new AtomicBoolean(true);

    private final Map<String, String> bookings = new ConcurrentHashMap<>();

    private final Set<String> closedAirports = ConcurrentHashMap.newKeySet();

    public TravelDesk() {
        closedAirports.addAll(List.of("Atlantis", "Avalon"));
    }

    public List<Map<String, Object>> searchFlights(String to) {
        if (closedAirports.contains(to)) {
            throw new IllegalStateException("No airport serves " + to);
        }
        if (to.equals("Slowtown")) {
            await();
        }
        return List.of(Map.of("flight", "TP" + (900 + to.length()), "to", to, "priceEur", 180 + 10 * to.length()),
                Map.of("flight", "LH" + (1100 + to.length()), "to", to, "priceEur", 240 + 10 * to.length()));
    }

    public String book(String key, String what) {
        bookings.put(key, what);
        return "B-" + Math.abs(key.hashCode() % 100_000);
    }

    public void cancel(String key, String hotel) {
        if (hotel.equals(SLOW_HOTEL)) {
            await();
        }
        if (hotel.equals(STUCK_HOTEL) && cancellationsDown.get()) {
            throw new IllegalStateException("The Nocancel Inn's booking system is down: 503 Service Unavailable");
        }
        bookings.remove(key);
    }

    public String charge(String key, String card, int amountEur) {
        if (card.contains("declined")) {
            throw new IllegalStateException("Card declined: insufficient funds for " + amountEur + " EUR");
        }
        bookings.put(key, "charge " + amountEur);
        return "ch_" + Math.abs(key.hashCode() % 1_000_000);
    }

    /** Opens the airport of a city whose flights could not be searched; Atlantis has none to open. */
    public void openAirport(String city) {
        if (!city.equals("Atlantis")) {
            closedAirports.remove(city);
        }
    }

    /** Lets blocked searches and cancellations go on. */
    public void open() {
        gate.countDown();
    }

    /** Whether the Nocancel Inn refuses cancellations; a test switches it off to let a retry succeed. */
    public AtomicBoolean hotelCancellationsDown() {
        return cancellationsDown;
    }

    public Map<String, String> bookings() {
        return Map.copyOf(bookings);
    }

    private void await() {
        try {
            gate.await(5, TimeUnit.MINUTES);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
