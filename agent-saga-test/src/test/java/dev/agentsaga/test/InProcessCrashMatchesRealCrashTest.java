package dev.agentsaga.test;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.StepRecord;

/**
 * The in-process crash of the kit leaves what a killed JVM leaves: the same trip, crashed after the
 * effect of bookHotel in-process and in a child JVM that halts itself, resumes to the same journal
 * (apart from timestamps) and the same requests downstream.
 */
@SagaTest(database = SagaTest.Database.POSTGRESQL)
class InProcessCrashMatchesRealCrashTest {

    private static final String SAGA_ID = "trip-to-lisbon-1";

    /** What a run left: the journal and the downstream's requests when the engine died, then at the end. */
    record Run(List<String> journalAtCrash, List<Ledger.Request> requestsAtCrash, SagaExport journal, Ledger ledger) {
    }

    @Test
    void aTripCrashedInProcessEndsAsOneWhoseJvmWasKilled(SagaTestEnvironment env, @TempDir Path folder) {
        Run inProcess = crashedInProcess(env);
        Run real = crashedInAChildJvm(folder);

        assertThat(real.journalAtCrash()).as("the journal when the engine died").hasSize(2)
                .isEqualTo(inProcess.journalAtCrash());
        assertThat(real.requestsAtCrash()).as("the requests downstream when the engine died").hasSize(3)
                .isEqualTo(inProcess.requestsAtCrash());
        SagaExport expected = inProcess.journal();
        assertThat(real.journal()).extracting(SagaExport::status, SagaExport::input, SagaExport::output,
                SagaExport::error, SagaExport::workflow, SagaExport::workflowVersion, SagaExport::cancelRequested)
                .containsExactly(SagaStatus.COMPLETED, expected.input(), expected.output(), expected.error(),
                        expected.workflow(), expected.workflowVersion(), expected.cancelRequested());
        assertThat(withoutTimestamps(real.journal().steps())).hasSize(5)
                .containsExactlyElementsOf(withoutTimestamps(expected.steps()));
        assertThat(real.ledger().requests()).as("the requests downstream, in order, duplicates included")
                .isEqualTo(inProcess.ledger().requests());
        assertThat(real.ledger().requestsPerKey(Ledger.Op.EXECUTE))
                .isEqualTo(inProcess.ledger().requestsPerKey(Ledger.Op.EXECUTE))
                .containsEntry(Trip.key(SAGA_ID, 3), 2L);
        assertThat(real.ledger().effects(Ledger.Op.EXECUTE)).isEqualTo(inProcess.ledger().effects(Ledger.Op.EXECUTE));
    }

    /** The trip crashed by the kit in this JVM after the effect of bookHotel, then resumed by {@code restart()}. */
    private static Run crashedInProcess(SagaTestEnvironment env) {
        Trip trip = new Trip();
        env.configure(trip::register);
        env.crashes().afterEffectOf(TripNode.CRASH_AFTER_EFFECT_OF);
        env.start(Trip.WORKFLOW, TripNode.DESTINATION, SAGA_ID);
        env.awaitCrash();
        List<Ledger.Request> requestsAtCrash = trip.ledger.requests();
        List<String> journalAtCrash = journal(env.database());
        env.restart();
        assertThatSaga(env.awaitFinal(SAGA_ID)).isCompleted();
        return new Run(journalAtCrash, requestsAtCrash, env.export(SAGA_ID), trip.ledger);
    }

    /**
     * The trip in a child JVM that halts itself after the effect of bookHotel, on a database of its own,
     * then resumed by an engine of this JVM with the same node id.
     */
    private static Run crashedInAChildJvm(Path folder) {
        Path ledgerFile = folder.resolve("ledger.txt");
        try (TestDatabase database = TestDatabase.postgresql()) {
            ChildJvm child = ChildJvm.launch(TripNode.class, folder.resolve("child.log"), List.of(), List.of(
                    database.jdbcUrl(), database.tablePrefix(), SAGA_ID, ledgerFile.toString()));
            assertThat(child.awaitExit(Duration.ofSeconds(60))).as(child.tail(30)).isEqualTo(Crashes.HALT_EXIT_CODE);
            Ledger ledger = Ledger.inFile(ledgerFile);
            List<Ledger.Request> requestsAtCrash = ledger.requests();
            List<String> journalAtCrash = journal(database);
            return new Run(journalAtCrash, requestsAtCrash, resume(database, new Trip(ledger)), ledger);
        }
    }

    /** Resumes the saga the child left, on an engine in this JVM with the same node id, and exports it. */
    private static SagaExport resume(TestDatabase database, Trip trip) {
        try (HikariDataSource dataSource = TripNode.dataSource(database.jdbcUrl());
                SagaEngine engine = TripNode.engine(dataSource, database.tablePrefix(), trip).build()) {
            engine.startup();
            SagaHandle handle = engine.start(Trip.WORKFLOW, TripNode.DESTINATION, SAGA_ID);
            assertThat(handle.created()).as("the child started the saga").isFalse();
            handle.awaitOutput(String.class, SagaTestEnvironment.WAIT);
            return engine.export(SAGA_ID).orElseThrow();
        }
    }

    /** The journal's rows as they stand, read with a connection of the test's own: seq, name, status, attempts, output. */
    private static List<String> journal(TestDatabase database) {
        return database.jdbc().query("SELECT seq, name, status, attempts, output FROM " + database.tablePrefix()
                + "step WHERE saga_id = ? ORDER BY seq", (row, n) -> row.getInt("seq") + " " + row.getString("name")
                        + " " + row.getString("status") + " " + row.getInt("attempts") + " " + row.getString("output"),
                SAGA_ID);
    }

    /** The steps with their timestamps cleared: the one thing two runs cannot share. */
    private static List<StepRecord> withoutTimestamps(List<StepRecord> steps) {
        return steps.stream().map(s -> new StepRecord(s.sagaId(), s.seq(), s.name(), s.kind(), s.reversibility(),
                s.status(), s.input(), s.output(), s.error(), s.attempts(), null, null, s.compensationAttempts(),
                s.compensationError(), null, s.resolution(), s.note(), s.fingerprint(), s.inputTokens(),
                s.outputTokens())).toList();
    }
}
