package dev.agentsaga.autoconfigure.actuate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns journaled JSON into plain values for the endpoint, masking the values of fields whose names
 * are listed (compared ignoring case, '-' and '_'), at any depth, and inside a text value that holds a JSON
 * object or array (a model's tool call arguments, which the Spring AI integration journals as JSON text).
 */
public final class PayloadRedactor {

    /** What a masked value reads as. */
    public static final String MASK = "******";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Set<String> names;

    public PayloadRedactor(Collection<String> names) {
        this.names = names.stream().map(PayloadRedactor::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** The JSON text as maps, lists and scalars with the listed fields masked; text that is not JSON is masked whole. */
    public @Nullable Object redact(@Nullable String json) {
        if (json == null) {
            return null;
        }
        try {
            return redactValue(JSON.readValue(json, Object.class));
        }
        catch (JacksonException ex) {
            return MASK;
        }
    }

    private @Nullable Object redactValue(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> redacted = new LinkedHashMap<>();
            map.forEach((key, item) -> redacted.put(String.valueOf(key),
                    names.contains(normalize(String.valueOf(key))) ? MASK : redactValue(item)));
            return redacted;
        }
        if (value instanceof List<?> list) {
            List<Object> redacted = new ArrayList<>(list.size());
            list.forEach(item -> redacted.add(redactValue(item)));
            return redacted;
        }
        if (value instanceof String text) {
            return redactText(text);
        }
        return value;
    }

    /** Text that holds a JSON object or array, masked inside and kept as text; any other text as it is. */
    private String redactText(String text) {
        String trimmed = text.strip();
        if (!(trimmed.startsWith("{") && trimmed.endsWith("}") || trimmed.startsWith("[") && trimmed.endsWith("]"))) {
            return text;
        }
        Object parsed;
        try {
            parsed = JSON.readValue(trimmed, Object.class);
        }
        catch (JacksonException ex) {
            return text;
        }
        Object redacted = redactValue(parsed);
        return Objects.equals(redacted, parsed) ? text : JSON.writeValueAsString(redacted);
    }

    private static String normalize(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }
}
