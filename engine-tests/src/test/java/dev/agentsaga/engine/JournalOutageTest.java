package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.StatementLog;

/**
 * A journal write that fails is an outage, not a failure of the workflow: a lost connection is retried
 * in place; an error that stays stops the run without compensating, the saga is resumed from the
 * journal and the step runs again under the same idempotency key.
 */
class JournalOutageTest {

    static TestDatabase schema;

    static StatementLog statements;

    static EffectLedger ledger;

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql();
        statements = new StatementLog(schema.dataSource());
        ledger = EffectLedger.create(schema.dataSource());
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void aLostConnectionIsRetriedInPlaceAndTheStepRunsOnce() {
        CompensableAction flight = new CompensableAction("blipFlight", ledger);
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> saga.step(flight, input));
        try (SagaEngine engine = AgentSaga.builder(statements.dataSource()).action(flight)
                .workflow("blip-trip", trip).pollInterval(Duration.ofMillis(50)).build()) {
            engine.startup();

            statements.failNext("INSERT INTO agent_saga_step", 2, "08006");
            var handle = engine.start("blip-trip", "faro");
            String output = handle.awaitOutput(String.class, Duration.ofSeconds(10));

            assertThat(output).isEqualTo(dev.agentsaga.testing.ActionScript.outputOf("blipFlight", "faro"));
            assertThat(ledger.attempts(handle.id(), "blipFlight", EffectLedger.Kind.EXECUTE)).hasSize(1);
        }
    }

    @Test
    void aConnectionLostInsideATransactionIsRetriedInPlace() {
        ScriptedWorkflow approval = new ScriptedWorkflow((input, saga) -> saga.awaitSignal("approved", String.class,
                Duration.ofMinutes(5)));
        try (SagaEngine engine = AgentSaga.builder(statements.dataSource()).workflow("lost-in-transaction", approval)
                .pollInterval(Duration.ofMillis(50)).build()) {
            engine.startup();
            var handle = engine.start("lost-in-transaction", "invoice");
            assertThat(handle.await(Duration.ofSeconds(10)).status()).isEqualTo(SagaStatus.WAITING);

            // the signal is stored in a transaction; the connection drops under its INSERT, then its rollback fails
            statements.loseConnectionAtNext("INSERT INTO agent_saga_signal", 1);
            engine.signal(handle.id(), "approved", "yes");
            String output = handle.awaitOutput(String.class, Duration.ofSeconds(10));

            assertThat(statements.injectedFailuresLeft()).isZero();
            assertThat(output).isEqualTo("yes");
        }
    }

    @Test
    void aJournalWriteAndACompletionWhoseAcknowledgementsAreLostAreReadBackAsDone() throws InterruptedException {
        CompensableAction flight = new CompensableAction("ackFlight", ledger);
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> saga.step(flight, input));
        List<String> events = new CopyOnWriteArrayList<>();
        SagaObserver observer = new SagaObserver() {

            @Override
            public void sagaResumed(String sagaId, String workflow, boolean recovered) {
                events.add("resumed " + sagaId);
            }

            @Override
            public void sagaRested(String sagaId, String workflow, SagaStatus status) {
                events.add("rested " + sagaId + " " + status);
            }
        };
        try (SagaEngine engine = AgentSaga.builder(statements.dataSource()).action(flight).observer(observer)
                .workflow("ack-trip", trip).pollInterval(Duration.ofMillis(50)).groupCommit(false).build()) {
            engine.startup();

            // each commits, and its acknowledgement is lost with the connection
            statements.loseAcknowledgementOfNext("INSERT INTO agent_saga_step", 1);
            var appended = engine.start("ack-trip", "porto");
            String appendedOutput = appended.awaitOutput(String.class, Duration.ofSeconds(10));
            statements.loseAcknowledgementOfNext("SET status = 'COMPLETED'", 1);
            var completed = engine.start("ack-trip", "braga");
            String completedOutput = completed.awaitOutput(String.class, Duration.ofSeconds(10));

            assertThat(statements.injectedFailuresLeft()).isZero();
            assertThat(appendedOutput).isEqualTo(dev.agentsaga.testing.ActionScript.outputOf("ackFlight", "porto"));
            assertThat(completedOutput).isEqualTo(dev.agentsaga.testing.ActionScript.outputOf("ackFlight", "braga"));
            for (String id : List.of(appended.id(), completed.id())) {
                assertThat(ledger.attempts(id, "ackFlight", EffectLedger.Kind.EXECUTE)).hasSize(1);
                assertThat(engine.find(id).orElseThrow().steps()).hasSize(1);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (events.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(events).as("each in one run, neither stopped and taken up again nor lost to its own commit")
                    .containsExactly("rested " + appended.id() + " COMPLETED", "rested " + completed.id() + " COMPLETED");
        }
    }

    @Test
    void aFailedJournalWriteLeavesTheSagaForRecoveryInsteadOfCompensatingIt() {
        CompensableAction flight = new CompensableAction("outageFlight", ledger);
        CompensableAction hotel = new CompensableAction("outageHotel", ledger);
        ScriptedWorkflow trip = new ScriptedWorkflow((input, saga) -> saga.step(flight, input) + "+"
                + saga.step(hotel, input));
        try (SagaEngine engine = AgentSaga.builder(statements.dataSource()).action(flight).action(hotel)
                .workflow("outage-trip", trip).pollInterval(Duration.ofMillis(50)).build()) {
            engine.startup();
            statements.failNext("INSERT INTO agent_saga_step", 1, "XX000");
            var handle = engine.start("outage-trip", "porto");
            String output = handle.awaitOutput(String.class, Duration.ofSeconds(10));
            SagaView view = engine.find(handle.id()).orElseThrow();

            assertThat(output).isEqualTo(dev.agentsaga.testing.ActionScript.outputOf("outageFlight", "porto") + "+"
                    + dev.agentsaga.testing.ActionScript.outputOf("outageHotel", "porto"));
            assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(view.steps()).extracting(step -> step.status())
                    .containsExactly(StepStatus.SUCCEEDED, StepStatus.SUCCEEDED);
            assertThat(ledger.compensated(handle.id())).isEmpty();
            assertThat(ledger.attempts(handle.id(), "outageFlight", EffectLedger.Kind.EXECUTE)).hasSize(2)
                    .allMatch(attempt -> attempt.idempotencyKey().equals(handle.id() + ":1"));
            assertThat(ledger.executed(handle.id())).containsExactly("outageFlight", "outageHotel");
        }
    }
}
