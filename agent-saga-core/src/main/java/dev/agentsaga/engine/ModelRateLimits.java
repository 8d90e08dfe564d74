package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ModelRateLimit;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.RateReservation;
import dev.agentsaga.spi.SagaStore;

/**
 * The model rate limits of one engine, enforced through the store's minute windows, which every node shares: a
 * call whose rate key has a limit takes its place in the window of the current minute before it is made, or is
 * told until when to wait (the next minute); once it answered, its recorded tokens correct its estimate.
 */
final class ModelRateLimits {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final Map<String, ModelRateLimit> limits;

    ModelRateLimits(Map<String, ModelRateLimit> limits) {
        this.limits = limits;
    }

    /** What a call's reservation came to: granted (in a window, or not limited) or throttled until a time. */
    sealed interface Decision {
    }

    /** The call may be made; {@code reservation} is null when its key is not limited. */
    record Granted(@Nullable RateReservation reservation) implements Decision {
    }

    /** The call's window is full: wait until {@code until}, when the next one starts. */
    record Throttled(String key, Instant until, String note) implements Decision {
    }

    /** Reserves the call's place in the current window of its rate key, if the key is limited. */
    Decision reserve(SagaStore store, JournaledCall<?> call, Instant now) {
        String key = limits.isEmpty() ? null : call.rateKey();
        ModelRateLimit limit = key == null ? null : limits.get(key);
        if (key == null || limit == null || !limit.limits()) {
            return new Granted(null);
        }
        Long estimate = call.estimatedTokens();
        Instant window = now.truncatedTo(ChronoUnit.MINUTES);
        RateReservation reservation = new RateReservation(key, window, limit.requestsPerMinute(),
                limit.tokensPerMinute(), estimate == null ? 0 : Math.max(0, estimate));
        if (store.reserveRate(reservation)) {
            return new Granted(reservation);
        }
        Instant until = window.plus(WINDOW);
        return new Throttled(key, until, "throttled: " + key + " is at its limit of " + describe(limit)
                + "; waiting until " + until);
    }

    /** Corrects the window that granted a call by the tokens it took, when they differ from its estimate. */
    void settle(SagaStore store, RateReservation reservation, int @Nullable [] tokens) {
        if (reservation.tokenLimit() == 0 || tokens == null) {
            return;
        }
        long difference = (long) tokens[0] + tokens[1] - reservation.tokens();
        if (difference != 0) {
            store.addRateTokens(reservation.key(), reservation.window(), difference);
        }
    }

    private static String describe(ModelRateLimit limit) {
        String requests = limit.requestsPerMinute() > 0 ? limit.requestsPerMinute() + " requests per minute" : "";
        String tokens = limit.tokensPerMinute() > 0 ? limit.tokensPerMinute() + " tokens per minute" : "";
        return requests.isEmpty() ? tokens : tokens.isEmpty() ? requests : requests + " / " + tokens;
    }
}
