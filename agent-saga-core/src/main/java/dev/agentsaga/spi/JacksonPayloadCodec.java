package dev.agentsaga.spi;

import java.lang.reflect.Type;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.PayloadException;

/** The default codec: Jackson's {@link JsonMapper} (java.time and records supported out of the box). */
public final class JacksonPayloadCodec implements PayloadCodec {

    private final JsonMapper mapper;

    /** A codec on a plain {@code JsonMapper}. */
    public JacksonPayloadCodec() {
        this(JsonMapper.builder().build());
    }

    /** A codec on the given mapper, e.g. the application's own. */
    public JacksonPayloadCodec(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper must not be null");
    }

    @Override
    public String encode(@Nullable Object value) {
        try {
            return mapper.writeValueAsString(value);
        }
        catch (JacksonException ex) {
            throw new PayloadException("Cannot serialise " + (value == null ? "null" : value.getClass().getName())
                    + " to JSON: " + ex.getOriginalMessage()
                    + ". Payloads must be plain data (records, beans, collections) that Jackson can write and read back",
                    null, null, ex);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> @Nullable T decode(@Nullable String json, Type type) {
        if (json == null) {
            return null;
        }
        try {
            return (T) mapper.readValue(json, mapper.getTypeFactory().constructType(type));
        }
        catch (JacksonException ex) {
            throw new PayloadException("Cannot read the journaled JSON as " + type.getTypeName() + ": "
                    + ex.getOriginalMessage(), null, null, ex);
        }
    }
}
