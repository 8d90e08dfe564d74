package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * An encryption key is missing, wrong or badly configured: a journaled payload is sealed under a key that
 * is not configured, or does not decrypt with the key configured under its id, or the keys themselves
 * are not valid. The message names the key id, never the key. Reading such a payload writes nothing: the
 * journal stays as it is, and configuring the key makes the saga readable again.
 */
public class EncryptionKeyException extends AgentSagaException {

    private final @Nullable String keyId;

    public EncryptionKeyException(String message, @Nullable String sagaId, @Nullable String keyId,
            @Nullable Throwable cause) {
        super(message, sagaId, null, cause);
        this.keyId = keyId;
    }

    /** The id of the key concerned, if one is. */
    public @Nullable String keyId() {
        return keyId;
    }
}
