package dev.agentsaga.engine;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.PayloadException;
import dev.agentsaga.PayloadTooLargeException;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.PayloadCodec;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SagaStore;

/**
 * The services one engine's parts share (the runner, the steps of a run, the compensator, operators'
 * operations): the store and how journal writes reach it, the codec with the payload limit, the
 * registry, the settings, the step executor and the observers.
 */
record EngineServices(SagaStore store, PayloadCodec codec, Registry registry, EngineSettings settings, StepExecutor executor,
        SagaObserver observer, @Nullable GroupCommit groupCommit) {

    EngineServices(SagaStore store, PayloadCodec codec, Registry registry, EngineSettings settings,
            StepExecutor executor, SagaObserver observer) {
        this(store, codec, registry, settings, executor, observer,
                settings.groupCommitMaxBatch() > 0 ? new GroupCommit(store, settings.groupCommitMaxBatch()) : null);
    }

    /**
     * A hot-path journal write, grouped with concurrent sagas' writes when group commit is on; returns
     * once it is durable.
     * @return false when the lease was lost (nothing written)
     */
    boolean write(JournalWrite write) {
        return groupCommit != null ? groupCommit.write(write) : store.write(write);
    }

    Instant now() {
        return settings.clock().now();
    }

    /**
     * Encodes a payload and checks it against the size limit; {@code what} names it in an error, and is
     * built only then (it is on every step's path).
     * @throws PayloadException when it cannot be serialised
     * @throws PayloadTooLargeException when it is over the limit
     */
    String encode(@Nullable Object value, Supplier<String> what, @Nullable String sagaId, @Nullable Integer step) {
        String json;
        try {
            json = codec.encode(value);
        }
        catch (PayloadException ex) {
            throw new PayloadException("The " + what.get() + " cannot be serialised: " + ex.getMessage(), sagaId, step,
                    ex);
        }
        int limit = settings.maxPayloadBytes();
        if (json.length() > limit / 3) {
            int bytes = json.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > limit) {
                throw new PayloadTooLargeException("The " + what.get() + " is " + bytes
                        + " bytes of JSON, over the limit of " + limit + " bytes; raise maxPayloadBytes (agent.saga.max-payload-size) or keep large data "
                        + "outside the saga and pass a reference", sagaId, step, null);
            }
        }
        return json;
    }

    <T> @Nullable T decode(@Nullable String json, Type type, Supplier<String> what, String sagaId,
            @Nullable Integer step) {
        try {
            return codec.decode(json, type);
        }
        catch (PayloadException ex) {
            throw new PayloadException("The journaled " + what.get() + " cannot be read back: " + ex.getMessage(),
                    sagaId,
                    step, ex);
        }
    }

    /** The JSON recorded in a step's {@code error} column. */
    String errorJson(Throwable failure) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("type", failure.getClass().getName());
        error.put("message", String.valueOf(failure.getMessage()));
        return codec.encode(error);
    }

    /** The type and message back from a step's {@code error} column. */
    String[] readError(@Nullable String errorJson) {
        if (errorJson == null) {
            return new String[] { "unknown", "no error recorded" };
        }
        try {
            Map<?, ?> error = codec.decode(errorJson, Map.class);
            if (error == null) {
                return new String[] { "unknown", errorJson };
            }
            return new String[] { String.valueOf(error.get("type")), String.valueOf(error.get("message")) };
        }
        catch (PayloadException ex) {
            return new String[] { "unknown", errorJson };
        }
    }
}
