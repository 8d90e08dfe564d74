package dev.agentsaga.spi;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.StepKind;

/**
 * A call an integration journals as one step, with the fingerprint of its request and the tokens it
 * took: a language model call, for the Spring AI integration. Replayed from the journal like any step;
 * a request whose fingerprint differs on replay is drift, handled by the engine's
 * {@link dev.agentsaga.DriftPolicy}.
 *
 * @param <T> the result type, serialised to the journal as JSON
 */
public interface JournaledCall<T> {

    /** The step name, checked for non-determinism like any step's. */
    String name();

    /** The step kind, e.g. {@link StepKind#LLM}. */
    StepKind kind();

    /** The result type. */
    Class<T> type();

    /**
     * The request's fingerprint by part (e.g. {@code messages}, {@code model}, {@code options},
     * {@code tools} to hashes), so that drift can say which part changed.
     */
    Map<String, String> fingerprint();

    /** Makes the call; retried by the engine's default policy when it throws. */
    @Nullable T execute() throws Exception;

    /** The tokens the result took: {@code [input, output]}, or null when unknown. */
    int @Nullable [] tokens(T result);

    /**
     * This call with a fork's overrides applied to its request (see {@link dev.agentsaga.ForkOverrides}): the
     * engine asks for it for the calls a fork makes from its fork step on, before it fingerprints them, so the
     * journal records what was sent. The default ignores the overrides, for calls they do not concern.
     */
    default JournaledCall<T> overridden(dev.agentsaga.ForkOverrides overrides) {
        return this;
    }

    /**
     * The rate key this call counts against (for a model call, the model's name), or null when it counts against
     * none. A call whose key has a {@link dev.agentsaga.ModelRateLimit} waits durably while the key's minute is full.
     */
    default @Nullable String rateKey() {
        return null;
    }

    /**
     * The tokens this call is estimated to take, before it is made, or null when unknown: reserved against its
     * key's tokens-per-minute limit, then corrected by {@link #tokens} once the call answered.
     */
    default @Nullable Long estimatedTokens() {
        return null;
    }
}
