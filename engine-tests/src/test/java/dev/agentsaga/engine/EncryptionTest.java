package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.EncryptionKeyException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.spi.EncryptionKeys;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.ModelCall;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * Encryption at rest, end to end on PostgreSQL: no payload of an encrypted saga is readable in the tables
 * while every view shows it; a saga started under one key completes after the keys rotate; a missing key
 * stops its saga for an operator, naming the key, and loses nothing.
 */
class EncryptionTest extends EngineTestSupport {

    private static final String K1 = key(1);

    private static final String K2 = key(2);

    private static final List<String> TABLES = List.of("instance", "step", "signal", "node");

    private final String marker = "MARKER-" + UUID.randomUUID();

    @Test
    void noPayloadOfAnEncryptedSagaIsReadableInTheTablesWhileTheViewsShowIt() {
        SagaAction<String, String> refuse = new Refusing();
        SagaAction<String, String> undoable = new Undoable();
        ScriptedWorkflow agent = new ScriptedWorkflow((input, saga) -> {
            String looked = saga.call("lookup", String.class, () -> "found " + input);
            try {
                saga.step(refuse, input);
            }
            catch (StepFailedException ex) {
                // the failure is journaled; the agent goes on
            }
            String answer = saga.journal(new ModelCall(Map.of("messages", input), "answer to " + input, 3, 4));
            String approval = saga.awaitSignal("approval", String.class, Duration.ofMinutes(5));
            return looked + " / " + answer + " / " + approval;
        });
        ScriptedWorkflow failing = new ScriptedWorkflow((input, saga) -> {
            saga.step(undoable, input);
            throw new IllegalStateException("gave up on " + input);
        });
        SagaEngine engine = started(engineBuilder().encryption(keys("k1", "k1", K1)).action(refuse).action(undoable)
                .workflow("enc-agent", agent).workflow("enc-failing", failing));

        String agentId = engine.start("enc-agent", "card " + marker).await(WAIT).id();
        engine.signal(agentId, "approval", "approved by " + marker);
        SagaView done = awaitStatus(engine, agentId, SagaStatus.COMPLETED);
        SagaView compensationFailed = awaitStatus(engine, engine.start("enc-failing", "order " + marker).id(),
                SagaStatus.COMPENSATION_FAILED);

        assertThat(rowsContaining(marker)).as("rows of the agent-saga tables whose text holds the marker").isZero();
        assertThat(done.input()).contains(marker);
        assertThat(done.output()).contains("found card " + marker).contains("answer to card " + marker)
                .contains("approved by " + marker);
        assertThat(step(done, "refuse").error()).contains("refused card " + marker);
        assertThat(step(done, "model").output()).contains(marker);
        assertThat(step(compensationFailed, "undoable").compensationError()).contains("cannot undo order " + marker);
        assertThat(compensationFailed.error()).contains(marker);
        assertThat(engine.export(agentId).orElseThrow().toJson()).contains(marker);
        assertThat(storedPayloads(agentId)).isNotEmpty().allSatisfy(stored -> assertThat(stored).startsWith("enc1:k1:"));
    }

    @Test
    void aSagaStartedUnderKeyK1CompletesAfterTheKeysRotateToK2() {
        CompensableAction first = new CompensableAction("encFirst", ledger);
        CompensableAction second = new CompensableAction("encSecond", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            String booked = saga.step(first, input);
            String go = saga.awaitSignal("go", String.class, Duration.ofMinutes(5));
            return saga.step(second, booked + " " + go);
        });
        SagaEngine before = started(engineBuilder().encryption(keys("k1", "k1", K1)).action(first).action(second)
                .workflow("enc-rotate", wf));
        String id = before.start("enc-rotate", marker).await(WAIT).id();
        before.shutdown(Duration.ofSeconds(2));

        SagaEngine after = started(engineBuilder().encryption(keys("k2", "k1", K1, "k2", K2)).action(first)
                .action(second).workflow("enc-rotate", wf));
        after.signal(id, "go", "go " + marker);
        SagaView done = awaitStatus(after, id, SagaStatus.COMPLETED);

        assertThat(decode(done.output(), String.class)).isEqualTo("encSecond(encFirst(" + marker + ") go " + marker + ")");
        assertThat(ledger.executed(id)).containsExactly("encFirst", "encSecond");
        assertThat(stored("SELECT input FROM %sinstance WHERE id = ?", id)).startsWith("enc1:k1:");
        assertThat(stored("SELECT output FROM %sstep WHERE saga_id = ? AND seq = 1", id)).startsWith("enc1:k1:");
        assertThat(stored("SELECT payload FROM %ssignal WHERE saga_id = ?", id)).startsWith("enc1:k2:");
        assertThat(stored("SELECT output FROM %sstep WHERE saga_id = ? AND seq = 2", id)).startsWith("enc1:k2:");
        assertThat(stored("SELECT output FROM %sstep WHERE saga_id = ? AND seq = 3", id)).startsWith("enc1:k2:");
        assertThat(stored("SELECT output FROM %sinstance WHERE id = ?", id)).startsWith("enc1:k2:");
    }

    @Test
    void aMissingKeyStopsTheSagaNamingTheKeyAndLosesNothingUntilTheKeyIsBack() {
        CompensableAction first = new CompensableAction("encKeptFirst", ledger);
        CompensableAction second = new CompensableAction("encKeptSecond", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            String booked = saga.step(first, input);
            saga.sleep(Duration.ofMillis(800));
            return saga.step(second, booked);
        });
        SagaEngine withK1 = started(engineBuilder().encryption(keys("k1", "k1", K1)).action(first).action(second)
                .workflow("enc-missing", wf));
        String id = withK1.start("enc-missing", marker).await(WAIT).id();
        withK1.shutdown(Duration.ofSeconds(2));
        List<String> journal = journalRows(id);
        String input = stored("SELECT input FROM %sinstance WHERE id = ?", id);

        SagaEngine withoutK1 = started(engineBuilder().encryption(keys("k2", "k2", K2)).action(first).action(second)
                .workflow("enc-missing", wf));

        assertThatThrownBy(() -> withoutK1.find(id))
                .isInstanceOfSatisfying(EncryptionKeyException.class, ex -> {
                    assertThat(ex.keyId()).isEqualTo("k1");
                    assertThat(ex.sagaId()).isEqualTo(id);
                })
                .hasMessageContaining("key 'k1'").message().doesNotContain(K1).doesNotContain(K2);
        SagaSummary parked = awaitListed(withoutK1, id, SagaStatus.NEEDS_ATTENTION);
        assertThat(parked.error()).contains("key 'k1'").doesNotContain(K1);
        assertThat(journalRows(id)).as("the journal, row by row").isEqualTo(journal);
        assertThat(stored("SELECT input FROM %sinstance WHERE id = ?", id)).isEqualTo(input);
        assertThat(ledger.executed(id)).containsExactly("encKeptFirst");
        assertThat(ledger.compensated(id)).isEmpty();
        withoutK1.shutdown(Duration.ofSeconds(2));

        SagaEngine keyBack = started(engineBuilder().encryption(keys("k2", "k1", K1, "k2", K2)).action(first)
                .action(second).workflow("enc-missing", wf));
        keyBack.retry(id);
        SagaView done = awaitStatus(keyBack, id, SagaStatus.COMPLETED);

        assertThat(decode(done.output(), String.class)).isEqualTo("encKeptSecond(encKeptFirst(" + marker + "))");
        assertThat(ledger.attempts(id, "encKeptFirst", Kind.EXECUTE)).hasSize(1);
        assertThat(ledger.compensated(id)).isEmpty();
    }

    @Test
    void aSignalUnderAKeyTheEngineLacksStopsTheRunForAnOperatorWithoutCompensating() {
        CompensableAction first = new CompensableAction("encSignalFirst", ledger);
        CompensableAction second = new CompensableAction("encSignalSecond", ledger);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            String booked = saga.step(first, input);
            return saga.step(second, booked + " " + saga.awaitSignal("go", String.class, Duration.ofMinutes(5)));
        });
        SagaEngine withK2 = started(engineBuilder().encryption(keys("k2", "k2", K2)).action(first).action(second)
                .workflow("enc-signal", wf));
        String id = withK2.start("enc-signal", marker).await(WAIT).id();
        List<String> journal = journalRows(id);
        SagaEngine sender = engineBuilder().encryption(keys("k1", "k1", K1, "k2", K2)).workflow("enc-signal", wf)
                .build();

        sender.signal(id, "go", "go " + marker);
        SagaView parked = awaitStatus(withK2, id, SagaStatus.NEEDS_ATTENTION);
        sender.shutdown(Duration.ofSeconds(1));
        withK2.shutdown(Duration.ofSeconds(2));

        assertThat(parked.error()).contains("key 'k1'").doesNotContain(K1);
        assertThat(journalRows(id)).as("the journal, row by row").isEqualTo(journal);
        assertThat(stored("SELECT payload FROM %ssignal WHERE saga_id = ?", id)).startsWith("enc1:k1:");
        assertThat(ledger.executed(id)).containsExactly("encSignalFirst");
        assertThat(ledger.compensated(id)).isEmpty();

        SagaEngine both = started(engineBuilder().encryption(keys("k2", "k1", K1, "k2", K2)).action(first)
                .action(second).workflow("enc-signal", wf));
        both.retry(id);
        SagaView done = awaitStatus(both, id, SagaStatus.COMPLETED);

        assertThat(decode(done.output(), String.class)).isEqualTo("encSignalSecond(encSignalFirst(" + marker + ") go "
                + marker + ")");
        assertThat(ledger.executed(id)).containsExactly("encSignalFirst", "encSignalSecond");
    }

    /** Rows of the agent-saga tables whose text, every column cast as PostgreSQL casts a row, holds {@code text}. */
    private int rowsContaining(String text) {
        int rows = 0;
        for (String table : TABLES) {
            Integer found = jdbc().queryForObject("SELECT count(*) FROM " + schema.tablePrefix() + table
                    + " t WHERE t::text LIKE ?", Integer.class, "%" + text + "%");
            rows += found == null ? 0 : found;
        }
        return rows;
    }

    /** The saga's step rows, each as PostgreSQL's text of the whole row. */
    private List<String> journalRows(String sagaId) {
        return jdbc().queryForList("SELECT t::text FROM " + schema.tablePrefix() + "step t WHERE saga_id = ? ORDER BY seq",
                String.class, sagaId);
    }

    private List<String> storedPayloads(String sagaId) {
        String prefix = schema.tablePrefix();
        return jdbc().queryForList("""
                SELECT p FROM (SELECT input AS p FROM %1$sinstance WHERE id = ?
                    UNION ALL SELECT output FROM %1$sinstance WHERE id = ?
                    UNION ALL SELECT input FROM %1$sstep WHERE saga_id = ? UNION ALL SELECT output FROM %1$sstep WHERE saga_id = ?
                    UNION ALL SELECT error FROM %1$sstep WHERE saga_id = ?
                    UNION ALL SELECT fingerprint FROM %1$sstep WHERE saga_id = ?
                    UNION ALL SELECT payload FROM %1$ssignal WHERE saga_id = ?) payloads
                WHERE p IS NOT NULL""".formatted(prefix), String.class, sagaId, sagaId, sagaId, sagaId, sagaId, sagaId,
                sagaId);
    }

    private @Nullable String stored(String sql, String sagaId) {
        return jdbc().queryForObject(sql.formatted(schema.tablePrefix()), String.class, sagaId);
    }

    /** Waits for the saga's status in the list, which shows a saga whose payloads cannot be read. */
    private static SagaSummary awaitListed(SagaEngine engine, String sagaId, SagaStatus status) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (SagaSummary summary : engine.list(SagaQuery.all().withStatuses(status).withWorkflow("enc-missing"))
                    .items()) {
                if (summary.id().equals(sagaId)) {
                    return summary;
                }
            }
            pause(Duration.ofMillis(25));
        }
        throw new AssertionError("saga " + sagaId + " was not listed " + status + " within " + WAIT);
    }

    private static EncryptionKeys keys(String current, String... idsAndKeys) {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (int i = 0; i < idsAndKeys.length; i += 2) {
            keys.put(idsAndKeys[i], idsAndKeys[i + 1]);
        }
        return EncryptionKeys.fromBase64(current, keys);
    }

    private static String key(int fill) {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        java.util.Arrays.fill(key, (byte) fill);
        return Base64.getEncoder().encodeToString(key);
    }

    /** A READ_ONLY action that always refuses, saying what it refused. */
    static final class Refusing implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            throw new IllegalStateException("refused " + input);
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }

        @Override
        public ActionPolicy policy() {
            return ActionPolicy.noRetries();
        }

        @Override
        public String name() {
            return "refuse";
        }
    }

    /** A COMPENSABLE action whose compensation fails, saying what it could not undo. */
    static final class Undoable implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) {
            return "done " + input;
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
            throw new IllegalStateException("cannot undo " + input);
        }

        @Override
        public ActionPolicy policy() {
            return ActionPolicy.noRetries();
        }

        @Override
        public String name() {
            return "undoable";
        }
    }
}
