package dev.agentsaga;

import java.util.Objects;

/**
 * The limit of model calls counted against one rate key (a model's name, or an API key's): at most
 * {@code requestsPerMinute} calls and {@code tokensPerMinute} tokens in each minute (UTC), shared by every node
 * on the database. A call over it waits durably for the next minute; see {@code docs/operations.md}.
 *
 * @param key the rate key the calls name ({@link dev.agentsaga.spi.JournaledCall#rateKey()}), at most 200 characters
 * @param requestsPerMinute the most calls a minute; 0 for no limit on calls
 * @param tokensPerMinute the most tokens a minute (input and output, as recorded); 0 for no limit on tokens
 */
public record ModelRateLimit(String key, int requestsPerMinute, long tokensPerMinute) {

    public ModelRateLimit {
        Objects.requireNonNull(key, "key must not be null");
        if (key.isBlank() || key.length() > 200) {
            throw new IllegalArgumentException("a rate key must be 1 to 200 characters, was '" + key + "'");
        }
        if (requestsPerMinute < 0 || tokensPerMinute < 0) {
            throw new IllegalArgumentException("the rate limit of '" + key + "' must not be negative, was "
                    + requestsPerMinute + " requests and " + tokensPerMinute + " tokens per minute");
        }
    }

    /** Whether this limits anything at all. */
    public boolean limits() {
        return requestsPerMinute > 0 || tokensPerMinute > 0;
    }
}
