package dev.agentsaga.dashboard;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.autoconfigure.actuate.PayloadRedactor;

/** Journaled JSON as the pages show it: masked by the endpoint's {@link PayloadRedactor}, then indented. */
final class Payloads {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final PayloadRedactor redactor;

    Payloads(PayloadRedactor redactor) {
        this.redactor = redactor;
    }

    /** The masked payload, indented; null when there is none. */
    @Nullable String show(@Nullable String json) {
        if (json == null) {
            return null;
        }
        Object value = redactor.redact(json);
        return value instanceof String text ? text : PRETTY.writeValueAsString(value);
    }

    /** The masked payload as one line, for a summary. */
    @Nullable String line(@Nullable String json) {
        if (json == null) {
            return null;
        }
        Object value = redactor.redact(json);
        return value instanceof String text ? text : JSON.writeValueAsString(value);
    }

    /** The JSON tree of a journaled payload (unmasked: for reading structure, never shown as is); null when it is not JSON. */
    static @Nullable JsonNode tree(@Nullable String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** Parses JSON typed by an operator; throws {@link IllegalArgumentException} with the reason when it is not JSON. */
    static @Nullable Object parse(String json) {
        try {
            return JSON.readValue(json, Object.class);
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("The output is not JSON: " + ex.getOriginalMessage());
        }
    }
}
