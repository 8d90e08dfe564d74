package dev.agentsaga.store.jdbc;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.EncryptionKeyException;
import dev.agentsaga.spi.PayloadCipher;

/**
 * The one place where the store's payload columns meet its {@link PayloadCipher}: every payload is sealed
 * here before it is bound, and opened here when it is read, so that the tables hold only sealed payloads
 * and everything above the store sees them opened. A null payload stays null.
 */
final class PayloadColumns {

    private final PayloadCipher cipher;

    PayloadColumns(PayloadCipher cipher) {
        this.cipher = cipher;
    }

    /** The stored form of a payload of saga {@code sagaId}. */
    @Nullable String seal(String sagaId, @Nullable String payload) {
        return payload == null ? null : cipher.seal(sagaId, payload);
    }

    /**
     * The payload a column of saga {@code sagaId} holds.
     * @throws EncryptionKeyException when it is sealed under a key the cipher does not have, or does not open
     */
    @Nullable String open(String sagaId, @Nullable String stored) {
        return stored == null ? null : cipher.open(sagaId, stored);
    }

    /**
     * The payload, or, when it cannot be opened, what an operator reads instead: for a list of sagas, which a
     * missing key must not make unreadable as a whole.
     */
    @Nullable String openOrExplain(String sagaId, @Nullable String stored) {
        try {
            return open(sagaId, stored);
        }
        catch (EncryptionKeyException ex) {
            return "[" + ex.getMessage() + "]";
        }
    }
}
