package dev.agentsaga.spi;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/** Turns payloads (inputs, outputs, signals) into JSON text for the journal, and back. */
public interface PayloadCodec {

    /**
     * Encodes a value as JSON text.
     * @throws dev.agentsaga.PayloadException when the value cannot be serialised
     */
    String encode(@Nullable Object value);

    /**
     * Decodes JSON text as the given type.
     * @throws dev.agentsaga.PayloadException when the text does not fit the type
     */
    <T> @Nullable T decode(@Nullable String json, Type type);
}
