package dev.agentsaga.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.agentsaga.EncryptionKeyException;

/** The AES-GCM payload cipher and its keys: what is stored, what opens, and what the errors say. */
class AesGcmPayloadCipherTest {

    private static final String K1 = base64(1);

    private static final String K2 = base64(2);

    private static final String PAYLOAD = "{\"card\":\"4111 1111 1111 1111\",\"name\":\"Zoë\"}";

    private final AesGcmPayloadCipher cipher = new AesGcmPayloadCipher(EncryptionKeys.fromBase64("k1", Map.of("k1", K1)));

    @Test
    void opensWhatItSealedAndStoresNoPlaintext() {

        String stored = cipher.seal("saga-1", PAYLOAD);

        assertThat(stored).startsWith("enc1:k1:").doesNotContain("4111").doesNotContain("card");
        assertThat(cipher.open("saga-1", stored)).isEqualTo(PAYLOAD);
        assertThat(cipher.isCurrent(stored)).isTrue();
    }

    @Test
    void sealsTheSamePayloadDifferentlyEachTime() {

        String first = cipher.seal("saga-1", PAYLOAD);
        String second = cipher.seal("saga-1", PAYLOAD);

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void refusesAPayloadMovedToAnotherSaga() {
        String stored = cipher.seal("saga-1", PAYLOAD);

        assertThatThrownBy(() -> cipher.open("saga-2", stored))
                .isInstanceOfSatisfying(EncryptionKeyException.class, ex -> {
                    assertThat(ex.keyId()).isEqualTo("k1");
                    assertThat(ex.sagaId()).isEqualTo("saga-2");
                })
                .hasMessageContaining("key 'k1'").hasMessageContaining("does not decrypt");
    }

    @Test
    void detectsATamperedPayload() {
        String stored = cipher.seal("saga-1", PAYLOAD);
        byte[] bytes = Base64.getDecoder().decode(stored.substring("enc1:k1:".length()));
        bytes[bytes.length / 2] ^= 1;
        String tampered = "enc1:k1:" + Base64.getEncoder().encodeToString(bytes);

        assertThatThrownBy(() -> cipher.open("saga-1", tampered)).isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("altered");
        assertThatThrownBy(() -> cipher.open("saga-1", "enc1:k1:not base64!")).isInstanceOf(EncryptionKeyException.class);
        assertThatThrownBy(() -> cipher.open("saga-1", "enc1:k1:AAAA")).isInstanceOf(EncryptionKeyException.class);
    }

    @Test
    void anUnknownKeyIsNamedAndNoKeyIsShown() {
        String stored = cipher.seal("saga-1", PAYLOAD);
        AesGcmPayloadCipher withoutK1 = new AesGcmPayloadCipher(EncryptionKeys.fromBase64("k2", Map.of("k2", K2)));

        assertThatThrownBy(() -> withoutK1.open("saga-1", stored))
                .isInstanceOfSatisfying(EncryptionKeyException.class, ex -> assertThat(ex.keyId()).isEqualTo("k1"))
                .hasMessageContaining("Saga saga-1").hasMessageContaining("key 'k1'").hasMessageContaining("[k2]")
                .message().doesNotContain(K1).doesNotContain(K2).doesNotContain(stored);
    }

    @Test
    void aKeyWithTheRightIdButOtherBytesDoesNotDecrypt() {
        String stored = cipher.seal("saga-1", PAYLOAD);
        AesGcmPayloadCipher otherK1 = new AesGcmPayloadCipher(EncryptionKeys.fromBase64("k1", Map.of("k1", K2)));

        assertThatThrownBy(() -> otherK1.open("saga-1", stored)).isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("not the key it was encrypted with").message().doesNotContain(K1).doesNotContain(K2);
    }

    @Test
    void readsAPayloadStoredWithoutEncryptionAsItIs() {

        assertThat(cipher.open("saga-1", PAYLOAD)).isEqualTo(PAYLOAD);
        assertThat(cipher.open("saga-1", "\"enc1:k1:looks sealed, is a JSON string\"")).startsWith("\"enc1");
        assertThat(cipher.isCurrent(PAYLOAD)).as("plaintext is re-encrypted").isFalse();
    }

    @Test
    void afterRotationNewPayloadsUseTheNewKeyAndOldOnesStillOpen() {
        Map<String, String> both = new LinkedHashMap<>(Map.of("k1", K1, "k2", K2));
        AtomicReference<EncryptionKeys> vault = new AtomicReference<>(EncryptionKeys.fromBase64("k1", both));
        AesGcmPayloadCipher rotating = new AesGcmPayloadCipher(vault::get);
        String old = rotating.seal("saga-1", PAYLOAD);

        vault.set(EncryptionKeys.fromBase64("k2", both));
        String fresh = rotating.seal("saga-1", PAYLOAD);

        assertThat(old).startsWith("enc1:k1:");
        assertThat(fresh).startsWith("enc1:k2:");
        assertThat(rotating.open("saga-1", old)).isEqualTo(PAYLOAD);
        assertThat(rotating.isCurrent(old)).isFalse();
        assertThat(rotating.isCurrent(fresh)).isTrue();
    }

    @Test
    void invalidKeysAreRefusedNamingTheKeyIdOnly() {
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);

        assertThatThrownBy(() -> EncryptionKeys.fromBase64("k1", Map.of("k1", short16)))
                .isInstanceOfSatisfying(EncryptionKeyException.class, ex -> assertThat(ex.keyId()).isEqualTo("k1"))
                .hasMessageContaining("'k1' has 16 bytes").message().doesNotContain(short16);
        assertThatThrownBy(() -> EncryptionKeys.fromBase64("k1", Map.of("k1", "s3cr3t-not-base64")))
                .hasMessageContaining("'k1' is not base64").message().doesNotContain("s3cr3t");
        assertThatThrownBy(() -> EncryptionKeys.fromBase64("k2", Map.of("k1", K1)))
                .hasMessageContaining("current encryption key 'k2' is not among the configured keys [k1]")
                .message().doesNotContain(K1);
        assertThatThrownBy(() -> EncryptionKeys.fromBase64("", Map.of("k1", K1)))
                .hasMessageContaining("No current encryption key");
        assertThatThrownBy(() -> EncryptionKeys.fromBase64("a:b", Map.of("a:b", K1)))
                .hasMessageContaining("key id 'a:b' is not valid");
        assertThat(EncryptionKeys.fromBase64("k1", Map.of("k1", K1)).toString()).isEqualTo(
                "EncryptionKeys[current=k1, keys=[k1]]");
    }

    @Test
    void withoutEncryptionASealedPayloadIsRefusedNotShown() {
        String stored = cipher.seal("saga-1", PAYLOAD);

        assertThat(PayloadCipher.none().open("saga-1", PAYLOAD)).isEqualTo(PAYLOAD);
        assertThat(PayloadCipher.none().seal("saga-1", PAYLOAD)).isEqualTo(PAYLOAD);
        assertThatThrownBy(() -> PayloadCipher.none().open("saga-1", stored))
                .isInstanceOfSatisfying(EncryptionKeyException.class, ex -> assertThat(ex.keyId()).isEqualTo("k1"))
                .hasMessageContaining("no encryption keys");
    }

    /** The base64 of 32 bytes, each {@code fill}. */
    private static String base64(int fill) {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        java.util.Arrays.fill(key, (byte) fill);
        return Base64.getEncoder().encodeToString(key);
    }
}
