package dev.agentsaga.autoconfigure.app;

/** What a traveller asks for; the password and the traveller's API key must never show in the endpoint. */
public record TripRequest(String destination, Traveller traveller, String password) {

    /** Who travels. */
    public record Traveller(String name, String apiKey) {
    }

    /** A request for {@code destination} with secrets the endpoint must mask. */
    public static TripRequest to(String destination) {
        return new TripRequest(destination, new Traveller("Ada", "ak-live-4242"), "hunter2-secret");
    }
}
