package dev.agentsaga.test;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaExport;
import dev.agentsaga.engine.ReplayReport;
import dev.agentsaga.engine.ReplayReport.Outcome;

/**
 * Exported journals of a trip agent (a model call, then the five steps) replayed against the same code,
 * and against code that changed under them. A replay executes nothing.
 */
@SagaTest
class ReplayTest {

    private static final String SYSTEM_PROMPT = "You plan trips. Answer with one flight.";

    private final Trip trip = new Trip();

    private ScriptedChatModel model;

    @Test
    void aCompletedJournalReplaysCleanAgainstTheSameCodeAndExecutesNothing(SagaTestEnvironment env) throws Exception {
        SagaExport journal = completedTrips(env, "Lisbon").get(0);
        int requestsBefore = trip.ledger.requests().size();
        String json = journal.toJson();

        SagaExport read = SagaExport.fromJson(json);
        ReplayReport report = SagaReplayer.of(sameConfiguration()).replay(read);

        assertThat(read).isEqualTo(journal);
        assertThat(report.outcome()).as(report.detail()).isEqualTo(Outcome.CLEAN);
        assertThat(report.detail()).contains("replayed all 6 steps");
        assertThat(trip.ledger.requests()).as("requests to the downstream").hasSize(requestsBefore);
        assertThat(model.requests()).as("requests to the model").hasSize(1);
    }

    @Test
    void aWorkflowWithTwoStepsSwappedDivergesAtTheFirstOneNamingBoth(SagaTestEnvironment env) {
        SagaExport journal = completedTrips(env, "Lisbon").get(0);
        int requestsBefore = trip.ledger.requests().size();

        ReplayReport report = SagaReplayer.of(engine -> trip.register(engine, new TripWorkflow(List.of(
                trip.searchFlights, trip.bookHotel, trip.bookFlight, trip.chargeCard, trip.sendConfirmation),
                planner(SYSTEM_PROMPT)))).replay(journal);

        assertThat(report.outcome()).isEqualTo(Outcome.DIVERGED);
        assertThat(report.step()).isEqualTo(3);
        assertThat(report.detail()).contains("step 3", "'bookFlight'", "'bookHotel'");
        assertThat(trip.ledger.requests()).hasSize(requestsBefore);
        assertThat(model.requests()).hasSize(1);
    }

    @Test
    void aModelCallWithAnotherSystemPromptDivergesNamingThePartOfTheRequestThatChanged(SagaTestEnvironment env) {
        SagaExport journal = completedTrips(env, "Lisbon").get(0);
        int requestsBefore = trip.ledger.requests().size();

        ReplayReport report = SagaReplayer.of(engine -> trip.register(engine, new TripWorkflow(trip.steps(),
                planner("You plan trips. Answer with the cheapest flight.")))).replay(journal);

        assertThat(report.outcome()).isEqualTo(Outcome.DIVERGED);
        assertThat(report.step()).isEqualTo(1);
        assertThat(report.detail()).contains("(messages)").doesNotContain("(messages, model)");
        assertThat(trip.ledger.requests()).hasSize(requestsBefore);
        assertThat(model.requests()).hasSize(1);
    }

    @Test
    void aCompletedSagaWhoseWorkflowNowAsksForOneMoreStepDiverges(SagaTestEnvironment env) {
        SagaExport journal = completedTrips(env, "Lisbon").get(0);
        int requestsBefore = trip.ledger.requests().size();
        List<TripAction> withACar = new ArrayList<>(trip.steps());
        withACar.add(trip.rentCar);

        ReplayReport report = SagaReplayer.of(engine -> trip.register(engine, new TripWorkflow(withACar,
                planner(SYSTEM_PROMPT)))).replay(journal);

        assertThat(trip.ledger.requests()).as("requests to the downstream: rentCar was not called")
                .hasSize(requestsBefore);
        assertThat(report.outcome()).isEqualTo(Outcome.DIVERGED);
        assertThat(report.detail()).contains("COMPLETED", "rentCar");
    }

    @Test
    void aFolderOfExportedJournalsGivesOneDynamicTestPerFileThatPassesAgainstTheSameCode(SagaTestEnvironment env,
            @TempDir Path folder) throws Throwable {
        for (SagaExport journal : completedTrips(env, "Lisbon", "Porto")) {
            Files.writeString(folder.resolve(journal.id() + ".json"), journal.toJson(), StandardCharsets.UTF_8);
        }
        int requestsBefore = trip.ledger.requests().size();

        List<DynamicTest> tests = SagaReplayer.of(sameConfiguration()).dynamicTests(folder).toList();
        List<DynamicTest> againstSwappedSteps = SagaReplayer.of(engine -> trip.register(engine, new TripWorkflow(
                List.of(trip.searchFlights, trip.bookHotel, trip.bookFlight, trip.chargeCard, trip.sendConfirmation),
                planner(SYSTEM_PROMPT)))).dynamicTests(folder).toList();

        assertThat(tests).hasSize(2).extracting(DynamicTest::getDisplayName).allMatch(name -> name.endsWith(".json"));
        for (DynamicTest test : tests) {
            test.getExecutable().execute();
        }
        for (DynamicTest test : againstSwappedSteps) {
            assertThatThrownBy(test.getExecutable()::execute).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("does not replay against the current code").hasMessageContaining("step 3");
        }
        assertThat(trip.ledger.requests()).hasSize(requestsBefore);
        assertThat(model.requests()).hasSize(2);
    }

    /** Runs a trip to each destination to completion on {@code env} and exports the journals. */
    private List<SagaExport> completedTrips(SagaTestEnvironment env, String... destinations) {
        model = env.scriptedModel();
        for (String destination : destinations) {
            model.turn(expect -> expect.lastMessageContains(destination), reply -> reply.text("Fly to " + destination));
        }
        env.configure(sameConfiguration());
        List<SagaExport> journals = new ArrayList<>();
        for (String destination : destinations) {
            String id = env.start(Trip.WORKFLOW, destination).id();
            assertThatSaga(env.awaitFinal(id)).isCompleted();
            journals.add(env.export(id));
        }
        return journals;
    }

    private Consumer<AgentSaga.Builder> sameConfiguration() {
        return engine -> trip.register(engine, new TripWorkflow(trip.steps(), planner(SYSTEM_PROMPT)));
    }

    private Planner planner(String systemPrompt) {
        return new Planner(model, systemPrompt);
    }
}
