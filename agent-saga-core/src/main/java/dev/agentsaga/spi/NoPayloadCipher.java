package dev.agentsaga.spi;

import dev.agentsaga.EncryptionKeyException;

/** {@link PayloadCipher#none()}: payloads stored as they are. */
final class NoPayloadCipher implements PayloadCipher {

    static final NoPayloadCipher INSTANCE = new NoPayloadCipher();

    private NoPayloadCipher() {
    }

    @Override
    public String seal(String sagaId, String plaintext) {
        return plaintext;
    }

    @Override
    public String open(String sagaId, String stored) {
        SealedPayload sealed = SealedPayload.parse(stored);
        if (sealed != null) {
            throw new EncryptionKeyException("Saga " + sagaId + " holds a payload encrypted under key '"
                    + sealed.keyId() + "', but this store has no encryption keys. Configure the keys it was written "
                    + "with (agent.saga.encryption.current-key and agent.saga.encryption.keys in Spring Boot, "
                    + "AgentSaga.Builder.encryption otherwise); nothing was read or written", sagaId, sealed.keyId(),
                    null);
        }
        return stored;
    }

    @Override
    public boolean isCurrent(String stored) {
        return SealedPayload.parse(stored) == null;
    }

    @Override
    public String toString() {
        return "PayloadCipher.none()";
    }
}
