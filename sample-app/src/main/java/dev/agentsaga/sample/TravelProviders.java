package dev.agentsaga.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.agentsaga.sample.Trips.FlightOffer;
import dev.agentsaga.sample.Trips.HotelOffer;

/**
 * In-app fakes of an airline, a hotel chain, a card processor and a mail service (the trip agent's), and of
 * a restaurant booking service, a box office and the hotel's room bills (the concierge's), backed by the
 * tables of schema.sql. Each write takes the caller's idempotency key: a repeated key returns the first result and
 * books nothing new, as a real provider API that deduplicates requests would. Every call is also written
 * to {@code provider_call}, so a reader (and the test) can count how often each provider was called.
 */
@Component
public class TravelProviders {

    /** A hotel that shows up in search results but cannot be booked: scenario 2 of the demo. */
    public static final String SOLD_OUT_HOTEL = "Grand Hotel Sold Out";

    /** A room whose guest has checked out: charges to it are refused (the concierge demo's failure). */
    public static final int CHECKED_OUT_ROOM = 118;

    private static final Map<String, List<HotelOffer>> HOTELS = Map.of(
            "Lisbon", List.of(new HotelOffer("Casa Alfama", "Lisbon", 120), new HotelOffer("Hotel Avenida", "Lisbon", 95),
                    new HotelOffer(SOLD_OUT_HOTEL, "Lisbon", 80)),
            "Porto", List.of(new HotelOffer("Ribeira Guest House", "Porto", 85), new HotelOffer("Hotel Douro", "Porto",
                    110)));

    private final JdbcClient jdbc;

    public TravelProviders(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<FlightOffer> searchFlights(String from, String to, String date) {
        int base = 60 + Math.floorMod((from + to).hashCode(), 90);
        String code = to.length() >= 2 ? to.substring(0, 2).toUpperCase() : "XX";
        List<FlightOffer> offers = new ArrayList<>();
        offers.add(new FlightOffer("TP" + (500 + base), from, to, date, base * 3));
        offers.add(new FlightOffer("FR" + (700 + base), from, to, date, base * 2));
        offers.add(new FlightOffer(code + (100 + base), from, to, date, base * 4));
        return offers;
    }

    public List<HotelOffer> searchHotels(String city) {
        return HOTELS.getOrDefault(city, List.of(new HotelOffer("Hotel Central", city, 100)));
    }

    public String bookFlight(String key, String flightNumber, String passenger, int price) {
        return book("flight_booking", key, "FL-", flightNumber, passenger, price);
    }

    public void cancelFlight(String key) {
        cancel("flight_booking", key);
    }

    public String bookHotel(String key, String hotel, String guest, int total) {
        if (SOLD_OUT_HOTEL.equals(hotel)) {
            throw new IllegalStateException("hotel '" + hotel + "' is sold out for these dates");
        }
        return book("hotel_booking", key, "HT-", hotel, guest, total);
    }

    public void cancelHotel(String key) {
        cancel("hotel_booking", key);
    }

    public String charge(String key, String description, int amount) {
        return book("card_charge", key, "CH-", description, "demo card **** 4242", amount);
    }

    public void refund(String key) {
        cancel("card_charge", key);
    }

    public String sendEmail(String key, String to, String subject) {
        return book("email_outbox", key, "MSG-", subject, to, 0);
    }

    public String reserveTable(String key, String restaurant, String guest, int guests) {
        return book("restaurant_table", key, "RT-", restaurant, guest + ", " + guests + " guests", 0);
    }

    /** Cancels a reservation by its id; {@code requestKey} is the caller's key of the cancellation. */
    public boolean cancelReservation(String requestKey, String reservationId) {
        logCall(requestKey, "restaurant_table.cancel");
        return jdbc.sql("UPDATE provider_record SET status = 'CANCELLED' WHERE provider = 'restaurant_table' AND id = ?")
                .param(reservationId).update() == 1;
    }

    public String buyTickets(String key, String event, int quantity, int total) {
        return book("box_office", key, "TK-", event, quantity + " seats", total);
    }

    public void refundTickets(String key) {
        cancel("box_office", key);
    }

    public String chargeRoom(String key, int room, String description, int amount) {
        if (room == CHECKED_OUT_ROOM) {
            throw new IllegalStateException("room " + room + " has checked out: the front desk accepts no more "
                    + "charges to it");
        }
        return book("room_bill", key, "RC-", description, "room " + room, amount);
    }

    public void refundRoomCharge(String key) {
        cancel("room_bill", key);
    }

    /** Records one call of a provider operation under the idempotency key it was given. */
    public void logCall(String key, String operation) {
        jdbc.sql("INSERT INTO provider_call (idempotency_key, operation) VALUES (?, ?)").params(key, operation).update();
    }

    /** How often the scripted model was called for a goal (table model_call). */
    public int modelCalls(String goal) {
        return jdbc.sql("SELECT COUNT(*) FROM model_call WHERE goal = ?").param(goal).query(Integer.class).single();
    }

    /** The records of a provider made for a saga (keys {@code sagaId:seq}), as "id item status" lines. */
    public List<String> records(String provider, String sagaId) {
        return jdbc.sql("SELECT id, item, status FROM provider_record WHERE provider = ? AND idempotency_key LIKE ? "
                + "ORDER BY created_at")
                .params(provider, sagaId + ":%")
                .query((rs, n) -> rs.getString("id") + " " + rs.getString("item") + " " + rs.getString("status"))
                .list();
    }

    private String book(String provider, String key, String prefix, String item, String party, int amount) {
        logCall(key, provider + ".create");
        String id = prefix + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        // insert unless the key was used: the form that H2 (MODE=PostgreSQL), PostgreSQL and MariaDB all accept
        jdbc.sql("INSERT INTO provider_record (id, provider, idempotency_key, item, party, amount_eur, status) "
                + "SELECT ?, ?, ?, ?, ?, ?, 'CONFIRMED' "
                + "WHERE NOT EXISTS (SELECT 1 FROM provider_record WHERE provider = ? AND idempotency_key = ?)")
                .params(id, provider, key, item, party, amount, provider, key).update();
        return jdbc.sql("SELECT id FROM provider_record WHERE provider = ? AND idempotency_key = ?")
                .params(provider, key).query(String.class).single();
    }

    private void cancel(String provider, String key) {
        logCall(key, provider + ".cancel");
        jdbc.sql("UPDATE provider_record SET status = 'CANCELLED' WHERE provider = ? AND idempotency_key = ?")
                .params(provider, key).update();
    }
}
