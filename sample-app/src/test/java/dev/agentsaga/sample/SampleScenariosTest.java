package dev.agentsaga.sample;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.TestDatabase;

/**
 * The demo's scenarios against H2 (a file database in a temporary directory) and PostgreSQL (a fresh
 * schema). The crash scenario runs first in a child JVM that halts itself after the flight was booked; the
 * app is then started again in this JVM, plays scenarios 1 and 2, and resumes the crashed trip. Scenario 4, the
 * fork of the sold-out trip, runs on its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleScenariosTest {

    @Test
    void theScenariosOnH2(@TempDir Path dir, CapturedOutput output) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("trips").toAbsolutePath()
                + ";MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;TRACE_LEVEL_FILE=0"; // as application.properties
        playScenarios(url, dir, output);
    }

    @Test
    void theScenariosOnPostgreSql(@TempDir Path dir, CapturedOutput output) throws Exception {
        try (TestDatabase database = TestDatabase.emptyPostgresql()) {
            playScenarios(database.jdbcUrl(), dir, output);
        }
    }

    @Test
    void theForkScenarioRunsTheSoldOutTripAgainFromItsFlightWithAnotherPromptAndComparesIt(@TempDir Path dir,
            CapturedOutput output) {
        String url = "jdbc:h2:file:" + dir.resolve("forks").toAbsolutePath()
                + ";MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class)
                .web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + url, "--sample.model=scripted", "--sample.demo=true",
                        "--sample.demo.scenarios=4", "--logging.level.dev.agentsaga=WARN")) {
            SagaCoordinator sagas = app.getBean(SagaCoordinator.class);
            JdbcClient jdbc = app.getBean(JdbcClient.class);
            List<SagaSummary> trips = sagas.list(SagaQuery.all().withWorkflow(TripWorkflow.NAME)).items();
            assertThat(trips).hasSize(2);
            SagaView fork = trips.stream().map(trip -> sagas.find(trip.id()).orElseThrow())
                    .filter(view -> view.forkedFrom() != null).findFirst().orElseThrow();
            SagaView source = sagas.find(fork.forkedFrom()).orElseThrow();

            assertThat(source.status()).isEqualTo(SagaStatus.COMPENSATED);
            assertThatSaga(fork).isForkOf(source.id(), 5).isCompleted();
            assertThat(rows(jdbc, "hotel_booking", fork.id())).containsExactly("CONFIRMED");
            assertThat(rows(jdbc, "flight_booking", source.id())).containsExactly("CANCELLED");
            // the inherited searches were neither run again nor asked of the model again
            String searches = "SELECT COUNT(*) FROM provider_call WHERE idempotency_key IN (?, ?)";
            assertThat(jdbc.sql(searches).params(source.id() + ":2", source.id() + ":4").query(Integer.class)
                    .single()).isEqualTo(2);
            assertThat(jdbc.sql(searches).params(fork.id() + ":2", fork.id() + ":4").query(Integer.class).single())
                    .isZero();
            assertThat(jdbc.sql("SELECT COUNT(*) FROM model_call WHERE goal = ?").param(DemoRunner.SOLD_OUT_GOAL)
                    .query(Integer.class).single()).isEqualTo(4 + 5);
            assertThat(sagas.compare(source.id(), fork.id()).divergedAt()).isEqualTo(5);
            assertThat(output).contains("compared with the original: the runs part at step 5");
        }
    }

    private void playScenarios(String url, Path dir, CapturedOutput output) throws Exception {
        // 1. a child JVM plays the crash scenario and halts itself right after bookFlight was journaled
        ChildJvm child = ChildJvm.launch(SampleApplication.class, dir.resolve("crash-run.log"),
                List.of("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")), crashRunArguments(url));
        int exitCode = child.awaitExit(Duration.ofSeconds(150)); // fails when the crashing run does not end
        String crashLog = Files.readString(child.log());
        assertThat(exitCode).as("exit code of the crashing run; its output:%n%s", crashLog).isEqualTo(1);
        assertThat(crashLog).contains("!!! CRASH: bookFlight (step 6) was executed and journaled");

        // 2. the same demo again, in this JVM: scenarios 1 and 2, and the crashed trip resumes
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class)
                .web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + url, "--sample.model=scripted", "--sample.demo=true",
                        "--sample.demo.scenarios=1,2,3", "--logging.level.dev.agentsaga=WARN")) {
            SagaCoordinator sagas = app.getBean(SagaCoordinator.class);
            JdbcClient jdbc = app.getBean(JdbcClient.class);
            assertThat(output).contains(">>> Scenario 3: RESUMED saga " + DemoRunner.CRASH_SAGA_ID);

            List<SagaSummary> trips = sagas.list(SagaQuery.all().withWorkflow(TripWorkflow.NAME)).items();
            assertThat(trips).hasSize(3);

            SagaView happy = onlyTrip(sagas, trips, SagaStatus.COMPLETED, DemoRunner.HAPPY_GOAL);
            assertThat(names(happy)).containsExactly("model", "searchFlights", "model", "searchHotels", "model",
                    "bookFlight", "model", "bookHotel", "model", "chargeCard", "model", "approval:sendConfirmation",
                    "sendConfirmation", "model");
            assertThat(happy.steps()).allMatch(step -> step.status() == StepStatus.SUCCEEDED);
            assertThat(happy.output()).contains("[scripted model] Booked");
            assertThat(rows(jdbc, "email_outbox", happy.id())).containsExactly("CONFIRMED");

            SagaView soldOut = onlyTrip(sagas, trips, SagaStatus.COMPENSATED, DemoRunner.SOLD_OUT_GOAL);
            StepView flight = step(soldOut, "bookFlight");
            assertThat(flight.status()).isEqualTo(StepStatus.COMPENSATED);
            assertThat(step(soldOut, "bookHotel").status()).isEqualTo(StepStatus.FAILED);
            assertThat(soldOut.error()).contains("sold out");
            assertThat(rows(jdbc, "flight_booking", soldOut.id())).containsExactly("CANCELLED");
            assertThat(rows(jdbc, "hotel_booking", soldOut.id())).isEmpty();
            assertThat(names(soldOut)).doesNotContain("chargeCard", "sendConfirmation");
            assertThatSaga(soldOut).isCompensated().compensatedInOrder("bookFlight");

            SagaView crashed = sagas.find(DemoRunner.CRASH_SAGA_ID).orElseThrow();
            assertThat(crashed.status()).isEqualTo(SagaStatus.COMPLETED);
            assertThat(names(crashed)).containsExactlyElementsOf(names(happy));
            // the flight was booked once, by the crashed run; the resumed run replayed it from the journal
            assertThat(rows(jdbc, "flight_booking", crashed.id())).containsExactly("CONFIRMED");
            assertThat(rows(jdbc, "hotel_booking", crashed.id())).containsExactly("CONFIRMED");
            assertThat(rows(jdbc, "card_charge", crashed.id())).containsExactly("CONFIRMED");
            assertThat(rows(jdbc, "email_outbox", crashed.id())).containsExactly("CONFIRMED");
            // no action ran twice: one provider call per idempotency key, none of them cancels
            List<Map<String, Object>> calls = jdbc.sql("SELECT idempotency_key, operation, COUNT(*) AS n "
                    + "FROM provider_call WHERE idempotency_key LIKE ? GROUP BY idempotency_key, operation")
                    .param(crashed.id() + ":%").query().listOfRows();
            assertThat(calls).hasSize(6).allSatisfy(call -> {
                assertThat(((Number) value(call, "n")).intValue()).as("calls of %s", call).isEqualTo(1);
                assertThat((String) value(call, "operation")).doesNotContain("cancel");
            });
            assertThat(crashed.steps()).allMatch(step -> step.attempts() == 1);
            // the model was asked once per turn the conversation needs, across both runs
            long llmSteps = crashed.steps().stream().filter(step -> step.kind() == StepKind.LLM).count();
            int modelCalls = jdbc.sql("SELECT COUNT(*) FROM model_call WHERE goal = ?").param(DemoRunner.CRASH_GOAL)
                    .query(Integer.class).single();
            assertThat(llmSteps).isEqualTo(7);
            assertThat(modelCalls).isEqualTo(7);
            // saved: each model call made before the crash, answered from the journal once by the recovery
            int crashedAt = crashed.steps().stream().filter(step -> step.name().equals("bookFlight")).findFirst()
                    .orElseThrow().seq();
            long beforeTheCrash = crashed.steps().stream()
                    .filter(step -> step.kind() == StepKind.LLM && step.seq() < crashedAt)
                    .mapToLong(step -> step.inputTokens() + step.outputTokens()).sum();
            assertThat(crashed.tokensSaved()).isPositive().isEqualTo(beforeTheCrash)
                    .isLessThan(crashed.tokensSpent());
        }
    }

    private static List<String> crashRunArguments(String url) {
        return List.of("--demo", "--crash-after=bookFlight", "--sample.demo.scenarios=3", "--sample.model=scripted",
                "--spring.datasource.url=" + url);
    }

    private static SagaView onlyTrip(SagaCoordinator sagas, List<SagaSummary> trips, SagaStatus status, String goal) {
        List<SagaView> found = trips.stream().filter(trip -> !trip.id().equals(DemoRunner.CRASH_SAGA_ID))
                .map(trip -> sagas.find(trip.id()).orElseThrow())
                .filter(view -> goal.equals(TripController.text(view.input()))).toList();
        assertThat(found).hasSize(1);
        assertThat(found.get(0).status()).as("status of trip '%s': %s", goal, found.get(0).error()).isEqualTo(status);
        return found.get(0);
    }

    private static List<String> names(SagaView view) {
        return view.steps().stream().map(StepView::name).toList();
    }

    private static StepView step(SagaView view, String name) {
        return view.steps().stream().filter(step -> step.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> rows(JdbcClient jdbc, String provider, String sagaId) {
        return jdbc.sql("SELECT status FROM provider_record WHERE provider = ? AND idempotency_key LIKE ?")
                .params(provider, sagaId + ":%").query(String.class).list();
    }

    private static Object value(Map<String, Object> row, String column) {
        return row.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(column)).findFirst()
                .orElseThrow().getValue();
    }

    static {
        // the child JVM inherits nothing of this one but its class path
        assertThat(new File(System.getProperty("java.home"))).exists();
    }
}
