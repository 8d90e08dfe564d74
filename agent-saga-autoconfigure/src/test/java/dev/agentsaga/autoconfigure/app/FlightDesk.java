package dev.agentsaga.autoconfigure.app;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.stereotype.Component;

/** The airline, as the tests fake it: books, cancels, and can be told to fail cancellations. */
@Component
public class FlightDesk {

    private final Set<String> brokenCancellations = ConcurrentHashMap.newKeySet();

    private final List<String> cancelled = new CopyOnWriteArrayList<>();

    String book(String destination) {
        return "FL-" + destination;
    }

    void cancel(String destination) {
        if (brokenCancellations.contains(destination)) {
            throw new IllegalStateException("the airline's cancellation service is down");
        }
        cancelled.add(destination);
    }

    /** Makes cancellations of flights to {@code destination} fail until {@link #fixCancellations}. */
    public void breakCancellations(String destination) {
        brokenCancellations.add(destination);
    }

    public void fixCancellations(String destination) {
        brokenCancellations.remove(destination);
    }

    /** The destinations whose flights were cancelled, in order. */
    public List<String> cancelled() {
        return List.copyOf(cancelled);
    }
}
