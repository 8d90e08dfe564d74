package dev.agentsaga.spi;

import org.jspecify.annotations.Nullable;

/**
 * The stored form of a sealed payload, {@code enc1:<key id>:<base64 of IV, ciphertext and tag>}. JSON text
 * never starts with {@code enc1:}, so a stored value without it is a payload written without encryption.
 */
record SealedPayload(String keyId, String body) {

    static final String PREFIX = "enc1:";

    /** The sealed payload {@code stored} holds, or null when it is a payload stored as it is. */
    static @Nullable SealedPayload parse(String stored) {
        if (!stored.startsWith(PREFIX)) {
            return null;
        }
        int end = stored.indexOf(':', PREFIX.length());
        if (end < 0) {
            return null;
        }
        String keyId = stored.substring(PREFIX.length(), end);
        return EncryptionKeys.isValidKeyId(keyId) ? new SealedPayload(keyId, stored.substring(end + 1)) : null;
    }

    /** The prefix of every payload sealed under {@code keyId}. */
    static String prefix(String keyId) {
        return PREFIX + keyId + ":";
    }
}
