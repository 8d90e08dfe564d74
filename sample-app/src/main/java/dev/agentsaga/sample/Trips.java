package dev.agentsaga.sample;

/** The inputs and outputs of the trip tools; journaled as JSON and described to the model as schemas. */
public final class Trips {

    private Trips() {
    }

    public record FlightSearch(String from, String to, String date) {
    }

    public record FlightOffer(String flightNumber, String from, String to, String date, int priceEur) {
    }

    public record HotelSearch(String city, String checkIn, int nights) {
    }

    public record HotelOffer(String hotel, String city, int pricePerNightEur) {
    }

    public record FlightBookingRequest(String flightNumber, String date, String passenger, int priceEur) {
    }

    public record FlightBooking(String bookingId, String flightNumber, int priceEur) {
    }

    public record HotelBookingRequest(String hotel, String city, String checkIn, int nights, int pricePerNightEur) {
    }

    public record HotelBooking(String bookingId, String hotel, int nights, int totalEur) {
    }

    public record ChargeRequest(int amountEur, String description) {
    }

    public record Charge(String chargeId, int amountEur) {
    }

    public record Email(String to, String subject, String body) {
    }

    public record EmailReceipt(String messageId, String to) {
    }
}
