package dev.agentsaga.spi;

/**
 * Encryption at rest of the journal's payloads: the store seals every payload (inputs, outputs, errors,
 * notes, fingerprints, signal payloads) before it writes it, and opens it when it reads it back, so that
 * every reader (views, replay, exports, the actuator endpoint, the dashboard) sees the payload while the
 * tables hold only what {@link #seal} returned. A null payload stays null.
 *
 * <p>{@link #none()}, the default, stores payloads as they are; {@link AesGcmPayloadCipher} encrypts them.
 */
public interface PayloadCipher {

    /**
     * The stored form of a payload of saga {@code sagaId}.
     * @throws dev.agentsaga.EncryptionKeyException when the current key is missing
     */
    String seal(String sagaId, String plaintext);

    /**
     * The payload that {@code stored}, read from a row of saga {@code sagaId}, holds: decrypted when it was
     * sealed, as it is when it was written without encryption.
     * @throws dev.agentsaga.EncryptionKeyException when it was sealed under a key this cipher does not have, or
     *         does not decrypt with the key under that id (another key, or an altered value)
     */
    String open(String sagaId, String stored);

    /**
     * Whether {@code stored} is sealed as {@link #seal} seals a payload now (under the current key), so that
     * re-encryption leaves it as it is.
     */
    default boolean isCurrent(String stored) {
        return true;
    }

    /**
     * The cipher that stores payloads as they are. It refuses to open a sealed payload rather than hand
     * out its ciphertext as if it were the payload.
     */
    static PayloadCipher none() {
        return NoPayloadCipher.INSTANCE;
    }
}
