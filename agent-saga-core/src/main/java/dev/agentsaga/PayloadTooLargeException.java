package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/** A serialised payload exceeds the configured limit. */
public class PayloadTooLargeException extends PayloadException {

    public PayloadTooLargeException(String message, @Nullable String sagaId, @Nullable Integer step, @Nullable Throwable cause) {
        super(message, sagaId, step, cause);
    }

    public PayloadTooLargeException(String message, @Nullable String sagaId) {
        this(message, sagaId, null, null);
    }
}
