package dev.agentsaga.spi;

import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import dev.agentsaga.EncryptionKeyException;

/**
 * The keys that encrypt the journal's payloads, by id: the current one seals new payloads, every one
 * opens the payloads sealed under it. Each is an AES-256 key (32 bytes). Validated when made; the
 * exceptions and {@link #toString()} name key ids, never keys.
 */
public final class EncryptionKeys {

    /** The length of a key: AES-256. */
    public static final int KEY_BYTES = 32;

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final String currentKeyId;

    private final Map<String, SecretKey> keys;

    private EncryptionKeys(String currentKeyId, Map<String, SecretKey> keys) {
        this.currentKeyId = currentKeyId;
        this.keys = keys;
    }

    /**
     * The keys {@code keys} by id, the one under {@code currentKeyId} sealing new payloads.
     * @throws EncryptionKeyException when an id is not 1 to 64 letters, digits, '.', '_' or '-', a key is not
     *         32 bytes, or the current key is not among them
     */
    public static EncryptionKeys of(String currentKeyId, Map<String, byte[]> keys) {
        Objects.requireNonNull(keys, "keys must not be null");
        Map<String, SecretKey> checked = new LinkedHashMap<>();
        keys.forEach((id, key) -> checked.put(checkedId(id), new SecretKeySpec(checkedKey(id, key), "AES")));
        if (currentKeyId == null || currentKeyId.isBlank()) {
            throw new EncryptionKeyException("No current encryption key is set: name one of the keys " + ids(checked)
                    + " as the current key (agent.saga.encryption.current-key in Spring Boot)", null, null, null);
        }
        if (!checked.containsKey(currentKeyId)) {
            throw new EncryptionKeyException("The current encryption key '" + currentKeyId + "' is not among the "
                    + "configured keys " + ids(checked) + ": add it (agent.saga.encryption.keys." + currentKeyId
                    + " in Spring Boot, the base64 of 32 random bytes, e.g. from 'openssl rand -base64 32')", null,
                    currentKeyId, null);
        }
        return new EncryptionKeys(currentKeyId, Collections.unmodifiableMap(checked));
    }

    /**
     * The keys {@code keys} by id, each given as base64 (of 32 bytes), as configuration holds them.
     * @throws EncryptionKeyException as {@link #of} does, and when a key is not base64
     */
    public static EncryptionKeys fromBase64(String currentKeyId, Map<String, String> keys) {
        Objects.requireNonNull(keys, "keys must not be null");
        Map<String, byte[]> decoded = new LinkedHashMap<>();
        keys.forEach((id, key) -> decoded.put(id, decode(id, key)));
        return of(currentKeyId, decoded);
    }

    /** The id of the key that seals new payloads. */
    public String currentKeyId() {
        return currentKeyId;
    }

    /** The key that seals new payloads. */
    public SecretKey currentKey() {
        // present: the constructor checks it
        return Objects.requireNonNull(keys.get(currentKeyId));
    }

    /** The key with this id, if there is one. */
    public Optional<SecretKey> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    /** The ids of the keys, sorted. */
    public Set<String> keyIds() {
        return Collections.unmodifiableSet(new TreeSet<>(keys.keySet()));
    }

    /** Whether {@code keyId} is 1 to 64 letters, digits, '.', '_' or '-'. */
    public static boolean isValidKeyId(String keyId) {
        return KEY_ID.matcher(keyId).matches();
    }

    /** The ids only. */
    @Override
    public String toString() {
        return "EncryptionKeys[current=" + currentKeyId + ", keys=" + keyIds() + "]";
    }

    private static String checkedId(String id) {
        if (id == null || !isValidKeyId(id)) {
            throw new EncryptionKeyException("The encryption key id '" + id + "' is not valid: use 1 to 64 letters, "
                    + "digits, '.', '_' or '-' (lower case letters, digits and '-' in Spring Boot properties)", null,
                    null, null);
        }
        return id;
    }

    private static byte[] checkedKey(String id, byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new EncryptionKeyException("The encryption key '" + id + "' has " + (key == null ? 0 : key.length)
                    + " bytes; an AES-256 key has " + KEY_BYTES + ". Generate one with 'openssl rand -base64 32'",
                    null, id, null);
        }
        return key;
    }

    private static byte[] decode(String id, String key) {
        try {
            return Base64.getDecoder().decode(key == null ? "" : key.strip());
        }
        catch (IllegalArgumentException ex) {
            // the decoder's message quotes a character of the key: leave it out
            throw new EncryptionKeyException("The encryption key '" + id + "' is not base64. Give the base64 of 32 "
                    + "random bytes, e.g. from 'openssl rand -base64 32'", null, id, null);
        }
    }

    private static Set<String> ids(Map<String, SecretKey> keys) {
        return new TreeSet<>(keys.keySet());
    }
}
