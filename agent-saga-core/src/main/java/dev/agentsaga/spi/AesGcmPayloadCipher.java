package dev.agentsaga.spi;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.EncryptionKeyException;

/**
 * Encrypts payloads with AES-256-GCM from the JDK: a random 12-byte IV per payload, a 128-bit tag, and
 * the saga's id as associated data, so that a ciphertext moved to another saga's row does not decrypt.
 * A payload is stored as {@code enc1:<key id>:<base64 of IV, ciphertext and tag>}: the current key seals
 * new payloads, and a payload stays readable under the key it names for as long as that key is configured.
 * A stored value without the {@code enc1:} prefix (written before encryption was on) is read as it is.
 *
 * <p>The keys are asked for on every payload, so that a supplier (a vault) can rotate them; it should
 * answer from memory.
 */
public final class AesGcmPayloadCipher implements PayloadCipher {

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private static final int IV_BYTES = 12;

    private static final int TAG_BITS = 128;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Supplier<EncryptionKeys> keys;

    /**
     * A cipher with the keys {@code keys} answers, asked once at once so that missing keys fail now.
     * @throws EncryptionKeyException when the supplier has no keys
     */
    public AesGcmPayloadCipher(Supplier<EncryptionKeys> keys) {
        this.keys = Objects.requireNonNull(keys, "keys must not be null");
        keys();
    }

    /** A cipher with these keys. */
    public AesGcmPayloadCipher(EncryptionKeys keys) {
        this(constant(Objects.requireNonNull(keys, "keys must not be null")));
    }

    @Override
    public String seal(String sagaId, String plaintext) {
        EncryptionKeys current = keys();
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        byte[] plain = plaintext.getBytes(StandardCharsets.UTF_8);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, current.currentKey(), iv, sagaId);
            byte[] sealed = new byte[IV_BYTES + cipher.getOutputSize(plain.length)];
            System.arraycopy(iv, 0, sealed, 0, IV_BYTES);
            cipher.doFinal(plain, 0, plain.length, sealed, IV_BYTES);
            return SealedPayload.prefix(current.currentKeyId()) + Base64.getEncoder().encodeToString(sealed);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-GCM failed to encrypt a payload of saga " + sagaId + " under key '"
                    + current.currentKeyId() + "': " + ex.getClass().getName(), ex);
        }
    }

    @Override
    public String open(String sagaId, String stored) {
        SealedPayload sealed = SealedPayload.parse(stored);
        if (sealed == null) {
            return stored;
        }
        EncryptionKeys configured = keys();
        SecretKey key = configured.key(sealed.keyId()).orElseThrow(() -> new EncryptionKeyException("Saga " + sagaId
                + " holds a payload encrypted under key '" + sealed.keyId() + "', which is not among the configured "
                + "keys " + configured.keyIds() + ". Configure key '" + sealed.keyId() + "' again (keep every key "
                + "that payloads are encrypted under until they are re-encrypted); nothing was read or written",
                sagaId, sealed.keyId(), null));
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sealed.body());
        }
        catch (IllegalArgumentException ex) {
            throw doesNotDecrypt(sagaId, sealed.keyId(), null);
        }
        if (bytes.length < IV_BYTES + TAG_BITS / 8) {
            throw doesNotDecrypt(sagaId, sealed.keyId(), null);
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOf(bytes, IV_BYTES), sagaId);
            return new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
        }
        catch (AEADBadTagException ex) {
            throw doesNotDecrypt(sagaId, sealed.keyId(), ex);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-GCM failed to decrypt a payload of saga " + sagaId + " under key '"
                    + sealed.keyId() + "': " + ex.getClass().getName(), ex);
        }
    }

    @Override
    public boolean isCurrent(String stored) {
        return stored.startsWith(SealedPayload.prefix(keys().currentKeyId()));
    }

    @Override
    public String toString() {
        return "AesGcmPayloadCipher[" + keys() + "]";
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] iv, String sagaId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(sagaId.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private EncryptionKeys keys() {
        EncryptionKeys current = keys.get();
        if (current == null) {
            throw new EncryptionKeyException("The supplier of encryption keys returned none", null, null, null);
        }
        return current;
    }

    private static EncryptionKeyException doesNotDecrypt(String sagaId, String keyId,
            @Nullable Throwable cause) {
        return new EncryptionKeyException("A payload of saga " + sagaId + " encrypted under key '" + keyId + "' does "
                + "not decrypt with the key configured as '" + keyId + "': that is not the key it was encrypted with, "
                + "or the stored value was altered (or moved from another saga's row). Configure the original key '"
                + keyId + "'; nothing was read or written", sagaId, keyId, cause);
    }

    private static Supplier<EncryptionKeys> constant(EncryptionKeys keys) {
        return () -> keys;
    }
}
