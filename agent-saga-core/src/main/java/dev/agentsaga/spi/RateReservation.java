package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A model call's place in its rate key's minute window, asked for before the call is made
 * ({@link SagaStore#reserveRate}).
 *
 * @param key the rate key
 * @param window the start of the minute the call falls in
 * @param requestLimit the most calls in the window; 0 for no limit on calls
 * @param tokenLimit the most tokens in the window; 0 for no limit on tokens
 * @param tokens the tokens the call is estimated to take (0 when unknown)
 */
public record RateReservation(String key, Instant window, int requestLimit, long tokenLimit, long tokens) {

    public RateReservation {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(window, "window must not be null");
    }
}
