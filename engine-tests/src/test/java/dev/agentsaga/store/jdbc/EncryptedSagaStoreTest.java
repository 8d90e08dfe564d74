package dev.agentsaga.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.agentsaga.EncryptionKeyException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.AesGcmPayloadCipher;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.CompensationResult;
import dev.agentsaga.spi.CompensationStart;
import dev.agentsaga.spi.EncryptionKeys;
import dev.agentsaga.spi.JournalWrite.AppendStep;
import dev.agentsaga.spi.JournalWrite.CompleteSaga;
import dev.agentsaga.spi.JournalWrite.UpdateStep;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.PayloadCipher;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.spi.WorkflowKey;
import dev.agentsaga.test.TestDatabase;

/**
 * The store contract on PostgreSQL with every payload encrypted (AES-GCM under key k1), and what encryption
 * itself must do: ciphertext only in the tables, plaintext out of the store, re-encryption under a new key,
 * and a missing key that fails one saga with its id, not every claim or list.
 */
class EncryptedSagaStoreTest extends SagaStoreContractTest {

    private static final String K1 = key(1);

    private static final String K2 = key(2);

    static TestDatabase schema;

    static SagaStore store;

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql("ops_saga_");
        store = storeWith(cipher("k1", Map.of("k1", K1)));
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Override
    SagaStore store() {
        return store;
    }

    @Override
    DataSource dataSource() {
        return schema.dataSource();
    }

    /** A string of this test's own, in its payloads. */
    private final String marker = "MARKER-" + UUID.randomUUID();

    @Test
    void everyPayloadWrittenThroughTheStoreIsCiphertextInTheTablesAndPlaintextOutOfTheStore() {
        String done = saga("{\"secret\":\"" + marker + "\"}");
        String compensated = saga("{\"secret\":\"" + marker + "\"}");
        StepRecord call = StepRecord.of(done, 1, "model", StepKind.CALL, null, StepStatus.SUCCEEDED,
                json("in"), json("out"), null, 1, now, now).withCall(json("fingerprint"), 10, 5);
        StepRecord failed = StepRecord.of(compensated, 1, "charge", StepKind.ACTION, Reversibility.COMPENSABLE,
                StepStatus.STARTED, json("charge"), null, null, 1, now, null);

        store.writeAll(List.of(new AppendStep(lease(done), call), new AppendStep(lease(compensated), failed)));
        store.write(new UpdateStep(lease(compensated), failed.finished(StepStatus.SUCCEEDED, json("charged"), null, 1,
                now)));
        store.deliverSignal(new SignalRecord(UUID.randomUUID().toString(), done, "go", json("signal"), now), now);
        store.write(new CompleteSaga(lease(done), json("output"), now));
        store.startCompensation(lease(compensated), new CompensationStart(compensated, "failed: " + marker, 1,
                Map.of(1, "note " + marker), 1, false, now));
        store.recordCompensation(lease(compensated), new CompensationResult(compensated, 1,
                StepStatus.COMPENSATION_FAILED, 1, "refund refused: " + marker, null, now));

        assertThat(rawRowsContaining(marker)).as("rows whose text holds the marker").isZero();
        assertThat(storedPayloads(List.of(done, compensated))).hasSize(12)
                .allSatisfy(stored -> assertThat(stored).startsWith("enc1:k1:"));
        assertThat(store.findInstance(done).orElseThrow().output()).contains(marker);
        assertThat(store.findInstance(compensated).orElseThrow().error()).contains("refund refused: " + marker);
        StepRecord journaled = store.loadJournal(done).get(0);
        assertThat(List.of(journaled.input(), journaled.output(), journaled.fingerprint())).allMatch(p -> p.contains(marker));
        assertThat(store.loadJournal(compensated).get(0).compensationError()).contains(marker);
        assertThat(store.findSignal(done, "go").orElseThrow().payload()).contains(marker);
    }

    @Test
    void reencryptionMovesPlaintextAndOldKeysToTheCurrentKeyBatchByBatch() {
        SagaStore plain = storeWith(PayloadCipher.none());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "reenc-" + i + "-" + UUID.randomUUID();
            (i % 2 == 0 ? plain : store).createInstance(new NewSaga(id, "reenc", "1", json("input " + i), "node-a", now,
                    now.plusSeconds(30)));
            (i % 2 == 0 ? plain : store).write(new AppendStep(lease(id), StepRecord.of(id, 1, "s", StepKind.CALL, null,
                    StepStatus.SUCCEEDED, null, json("output " + i), null, 1, now, now)));
            ids.add(id);
        }
        JdbcSagaStore rotated = storeWith(cipher("k2", Map.of("k1", K1, "k2", K2)));

        List<ReencryptedBatch> batches = new ArrayList<>();
        String after = null;
        do {
            ReencryptedBatch batch = rotated.reencrypt(after, 2);
            batches.add(batch);
            after = batch.next();
        }
        while (after != null);

        assertThat(batches.stream().mapToInt(ReencryptedBatch::payloads).sum()).isGreaterThanOrEqualTo(10);
        assertThat(batches).hasSizeGreaterThan(2);
        assertThat(storedPayloads(ids)).hasSize(10).allSatisfy(stored -> assertThat(stored).startsWith("enc1:k2:"));
        assertThat(rawRowsContaining(marker)).isZero();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(rotated.findInstance(ids.get(i)).orElseThrow().input()).isEqualTo(json("input " + i));
            assertThat(rotated.loadJournal(ids.get(i)).get(0).output()).isEqualTo(json("output " + i));
        }
        assertThat(rotated.reencrypt(null, 100_000).payloads()).as("a second pass").isZero();
    }

    @Test
    void aMissingKeyFailsTheReadsOfItsSagaNamingTheKeyAndNotTheClaimOrTheListOfOthers() {
        String locked = saga("locked", json("locked away"));
        store.rest(lease(locked), SagaStatus.NEEDS_ATTENTION, "why: " + marker, null, now);
        store.transition(locked, EnumSet.of(SagaStatus.NEEDS_ATTENTION), SagaStatus.PENDING, null, now);
        JdbcSagaStore withoutK1 = storeWith(cipher("k3", Map.of("k3", key(3))));
        String readable = "readable-" + UUID.randomUUID();
        // written before encryption was on: readable with any keys
        storeWith(PayloadCipher.none()).createInstance(new NewSaga(readable, "locked", "1", json("fine"), null, now,
                now));

        List<ClaimedSaga> claimed = withoutK1.claim("node-z", List.of(new WorkflowKey("locked", "1")), 1000, false, now,
                now.plusSeconds(30));
        List<SagaSummary> listed = withoutK1.list(SagaQuery.all().withWorkflow("locked").withPage(0, 100)).items();

        assertThatThrownBy(() -> withoutK1.findInstance(locked))
                .isInstanceOfSatisfying(EncryptionKeyException.class, ex -> {
                    assertThat(ex.keyId()).isEqualTo("k1");
                    assertThat(ex.sagaId()).isEqualTo(locked);
                })
                .hasMessageContaining("key 'k1'").message().doesNotContain(K1);
        ClaimedSaga unreadable = claimed.stream().filter(c -> c.saga().id().equals(locked)).findFirst().orElseThrow();
        assertThat(unreadable.unreadable()).contains("key 'k1'");
        assertThat(unreadable.saga().input()).isNull();
        ClaimedSaga fine = claimed.stream().filter(c -> c.saga().id().equals(readable)).findFirst().orElseThrow();
        assertThat(fine.unreadable()).isNull();
        assertThat(fine.saga().input()).isEqualTo(json("fine"));
        assertThat(listed.stream().filter(s -> s.id().equals(locked)).findFirst().orElseThrow().error())
                .contains("key 'k1'").doesNotContain(marker);
    }

    private String saga(String input) {
        return saga("trip", input);
    }

    private String saga(String workflow, String input) {
        String id = UUID.randomUUID().toString();
        assertThat(store.createInstance(new NewSaga(id, workflow, "1", input, "node-a", now, now.plusSeconds(30))))
                .isTrue();
        return id;
    }

    /** A JSON string holding the marker. */
    private String json(String text) {
        return "\"" + text + " " + marker + "\"";
    }

    /** Rows of the agent-saga tables whose text (every column, cast as PostgreSQL casts a row) holds {@code text}. */
    private static int rawRowsContaining(String text) {
        JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());
        int rows = 0;
        for (String table : List.of("instance", "step", "signal", "node")) {
            Integer found = jdbc.queryForObject("SELECT count(*) FROM ops_saga_" + table + " t WHERE t::text LIKE ?",
                    Integer.class, "%" + text + "%");
            rows += found == null ? 0 : found;
        }
        return rows;
    }

    /** Every non-null payload column of the sagas' rows, as stored. */
    private static List<String> storedPayloads(List<String> sagaIds) {
        return new NamedParameterJdbcTemplate(schema.dataSource()).queryForList("""
                SELECT p FROM (
                    SELECT id AS saga_id, input AS p FROM ops_saga_instance
                    UNION ALL SELECT id, output FROM ops_saga_instance UNION ALL SELECT id, error FROM ops_saga_instance
                    UNION ALL SELECT saga_id, input FROM ops_saga_step UNION ALL SELECT saga_id, output FROM ops_saga_step
                    UNION ALL SELECT saga_id, error FROM ops_saga_step
                    UNION ALL SELECT saga_id, compensation_error FROM ops_saga_step
                    UNION ALL SELECT saga_id, note FROM ops_saga_step UNION ALL SELECT saga_id, fingerprint FROM ops_saga_step
                    UNION ALL SELECT saga_id, payload FROM ops_saga_signal) payloads
                WHERE p IS NOT NULL AND saga_id IN (:ids)""", Map.of("ids", sagaIds), String.class);
    }

    private static JdbcSagaStore storeWith(PayloadCipher cipher) {
        return new JdbcSagaStore(schema.dataSource(), new PostgresDialect("ops_saga_"), cipher);
    }

    private static PayloadCipher cipher(String current, Map<String, String> keys) {
        return new AesGcmPayloadCipher(EncryptionKeys.fromBase64(current, keys));
    }

    private static String key(int fill) {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        java.util.Arrays.fill(key, (byte) fill);
        return Base64.getEncoder().encodeToString(key);
    }
}
