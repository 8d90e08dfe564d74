package dev.agentsaga.autoconfigure.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.autoconfigure.actuate.PayloadRedactor;
import dev.agentsaga.autoconfigure.app.ActuatorHttp.Response;
import dev.agentsaga.autoconfigure.web.AgentSagaProblemDetailsExceptionHandler;
import dev.agentsaga.test.AutoConfigureSagaTest;
import dev.agentsaga.test.SagaTester;

/**
 * Children, forks and comparisons through {@code /actuator/sagas} with write access granted: the detail
 * shows a saga's parent, the saga it was forked from and its tree of children; {@code compare} sets two
 * sagas side by side with their payloads masked; {@code fork} starts a fork and answers it. The same
 * refusals reach an application's own controller as problem details.
 */
@SpringBootTest(classes = SagaStarterTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=sagas",
        "management.endpoint.sagas.access=unrestricted",
        "spring.web.error.include-message=always",
        "spring.datasource.hikari.maximum-pool-size=4",
        "agent.saga.poll-interval=100ms",
        "agent.saga.policy.initial-backoff=5ms",
        "agent.saga.policy.max-backoff=10ms",
        "agent.saga.shutdown-grace=1s" })
@AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
@DirtiesContext
class ChildrenAndForksEndpointTest {

    @LocalServerPort
    private int port;

    @Autowired
    private SagaCoordinator coordinator;

    @Autowired
    private SagaTester tester;

    @Autowired
    private FlightDesk flightDesk;

    private ActuatorHttp http;

    @BeforeEach
    void connect() {
        http = new ActuatorHttp(port);
    }

    @Test
    void showsTheTreeOfChildrenEachWithTheStepThatStartedIt() {
        String root = completed("grandTour", "Vienna");

        Response response = http.get("/actuator/sagas/" + root);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        Map<String, Object> detail = response.read("$", Map.class);
        assertThat(detail.get("parentId")).isNull();
        assertThat(detail.get("forkedFrom")).isNull();
        assertThat(response.read("$.steps[0].kind", String.class)).isEqualTo("CHILD");
        assertThat(response.read("$.steps[0].name", String.class)).isEqualTo("tour");
        Map<String, Object> tour = response.read("$.children[0]", Map.class);
        assertThat(tour).containsEntry("id", root + ":1").containsEntry("step", 1).containsEntry("workflow", "tour")
                .containsEntry("status", "COMPLETED");
        assertThat(response.json().<List<String>>read("$.children[0].children[*].id"))
                .containsExactly(root + ":1:1", root + ":1:2");
        assertThat(response.json().<List<Integer>>read("$.children[0].children[*].step")).containsExactly(1, 2);
        assertThat(response.json().<List<String>>read("$.children[0].children[*].workflow"))
                .containsExactly("trip", "trip");
        assertThat(response.json().<List<List<Object>>>read("$.children[0].children[*].children"))
                .allSatisfy(grandchildren -> assertThat(grandchildren).isEmpty());
    }

    @Test
    void showsTheParentAndTheStepThatStartedAChildWithItsInputMasked() {
        String root = completed("grandTour", "Salzburg");

        Response response = http.get("/actuator/sagas/" + root + ":1:2");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.workflow", String.class)).isEqualTo("trip");
        assertThat(response.read("$.parentId", String.class)).isEqualTo(root + ":1");
        assertThat(response.read("$.parentStep", Integer.class)).isEqualTo(2);
        assertThat(response.read("$.input.destination", String.class)).isEqualTo("Salzburg Coast");
        assertThat(response.read("$.input.password", String.class)).isEqualTo(PayloadRedactor.MASK);
        assertThat(response.json().<List<Object>>read("$.children")).isEmpty();
    }

    @Test
    void forksASagaWithAnotherModelAndAnswersTheFork() {
        String source = completed("planner", "Vienna");

        Response response = http.post("/actuator/sagas/" + source + "/fork",
                "{\"fromStep\": 1, \"model\": \"" + PlannerModel.LARGE + "\"}");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        String fork = response.read("$.id", String.class);
        assertThat(fork).isNotEqualTo(source);
        assertThat(response.read("$.forkedFrom", String.class)).isEqualTo(source);
        assertThat(response.read("$.forkStep", Integer.class)).isEqualTo(1);
        assertThat(response.read("$.workflow", String.class)).isEqualTo("planner");
        SagaView done = tester.awaitStatus(fork, SagaStatus.COMPLETED);
        assertThat(done.output()).isEqualTo("\"RM-Hotel Sacher\"");
        assertThat(coordinator.find(source).orElseThrow().output()).isEqualTo("\"RM-Pension Nina\"");
    }

    @Test
    void showsTheStepsAForkInheritedWithTheSagaTheyCameFrom() {
        String source = completed("planner", "Graz");

        Response forked = http.post("/actuator/sagas/" + source + "/fork", "{\"fromStep\": 2}");
        String fork = forked.read("$.id", String.class);
        tester.awaitStatus(fork, SagaStatus.COMPLETED);
        Response response = http.get("/actuator/sagas/" + fork);

        assertThat(response.read("$.forkedFrom", String.class)).isEqualTo(source);
        assertThat(response.read("$.forkStep", Integer.class)).isEqualTo(2);
        assertThat(response.read("$.steps[0].note", String.class)).contains(source);
        assertThat(response.read("$.steps[1]", Map.class).get("note")).isNull();
        assertThat(response.read("$.steps[0].output.toolCalls[0].arguments", String.class))
                .doesNotContain(PlannerModel.SECRET);
    }

    @Test
    void aForkCannotBuildOnAStepTheSourcesCompensationUndidAndOneBeforeItUndoesOnlyItsOwn() {
        String source = coordinator.start("trip", TripRequest.to("Atlantis Fork")).id();
        tester.awaitStatus(source, SagaStatus.COMPENSATED);
        long cancelledBefore = flightDesk.cancelled().stream().filter("Atlantis Fork"::equals).count();

        Response refused = http.post("/actuator/sagas/" + source + "/fork", "{\"fromStep\": 2}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.body()).contains("COMPENSATED");

        Response forked = http.post("/actuator/sagas/" + source + "/fork", "{\"fromStep\": 1}");
        SagaView fork = tester.awaitFinal(forked.read("$.id", String.class));

        assertThat(fork.status()).as("the hotel fails again; the fork cancels the flight it booked itself")
                .isEqualTo(SagaStatus.COMPENSATED);
        assertThat(flightDesk.cancelled().stream().filter("Atlantis Fork"::equals).count())
                .isEqualTo(cancelledBefore + 1);
    }

    @Test
    void comparesASagaWithItsForkStepByStepWithTheToolCallsAndTheirArgumentsMasked() {
        String source = completed("planner", "Linz");
        String fork = http.post("/actuator/sagas/" + source + "/fork",
                "{\"fromStep\": 1, \"model\": \"" + PlannerModel.LARGE + "\"}").read("$.id", String.class);
        tester.awaitStatus(fork, SagaStatus.COMPLETED);

        Response response = http.get("/actuator/sagas/" + source + "/compare/" + fork);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.same", Boolean.class)).isFalse();
        assertThat(response.read("$.divergedAt", Integer.class)).isEqualTo(1);
        assertThat(response.json().<List<Integer>>read("$.differences[*].seq")).containsExactly(1, 2);
        Map<String, Object> turnA = response.read("$.differences[0].a", Map.class);
        assertThat(turnA).containsEntry("name", "model").containsEntry("kind", "LLM")
                .containsEntry("status", "SUCCEEDED").containsEntry("inputTokens", 120).containsEntry("outputTokens", 30);
        assertThat(response.read("$.differences[0].toolCallsA[0].name", String.class)).isEqualTo("bookRoom");
        assertThat(response.read("$.differences[0].toolCallsA[0].arguments.hotel", String.class))
                .isEqualTo("Pension Nina");
        assertThat(response.read("$.differences[0].toolCallsB[0].arguments.hotel", String.class))
                .isEqualTo("Hotel Sacher");
        assertThat(response.read("$.differences[0].toolCallsB[0].arguments.password", String.class))
                .isEqualTo(PayloadRedactor.MASK);
        assertThat(response.read("$.differences[1].a.output", String.class)).isEqualTo("RM-Pension Nina");
        assertThat(response.read("$.differences[1].b.output", String.class)).isEqualTo("RM-Hotel Sacher");
        assertThat(response.body()).doesNotContain(PlannerModel.SECRET);
    }

    @Test
    void comparesEachSidesStatusOutcomeAndTheTokensItsOwnCallsSpent() {
        String source = completed("planner", "Bregenz");
        String fork = http.post("/actuator/sagas/" + source + "/fork",
                "{\"fromStep\": 1, \"model\": \"" + PlannerModel.LARGE + "\"}").read("$.id", String.class);
        tester.awaitStatus(fork, SagaStatus.COMPLETED);

        Response response = http.get("/actuator/sagas/" + source + "/compare/" + fork);

        Map<String, Object> a = response.read("$.a", Map.class);
        Map<String, Object> b = response.read("$.b", Map.class);
        assertThat(a).containsEntry("id", source).containsEntry("status", "COMPLETED")
                .containsEntry("output", "RM-Pension Nina").containsEntry("steps", 2).containsEntry("tokens", 150);
        assertThat(a.get("forkedFrom")).isNull();
        assertThat(b).containsEntry("id", fork).containsEntry("status", "COMPLETED")
                .containsEntry("output", "RM-Hotel Sacher").containsEntry("forkedFrom", source)
                .containsEntry("forkStep", 1).containsEntry("inputTokens", 400).containsEntry("outputTokens", 60)
                .containsEntry("tokens", 460);
    }

    @Test
    void comparesTwoSagasOfOneWorkflowWithTheirStepInputsMasked() {
        String linz = completed("trip", "Linz");
        String graz = completed("trip", "Graz");

        Response response = http.get("/actuator/sagas/" + linz + "/compare/" + graz);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.divergedAt", Integer.class)).isEqualTo(1);
        assertThat(response.read("$.differences[0].a.input.destination", String.class)).isEqualTo("Linz");
        assertThat(response.read("$.differences[0].b.input.destination", String.class)).isEqualTo("Graz");
        assertThat(response.read("$.differences[0].a.input.password", String.class)).isEqualTo(PayloadRedactor.MASK);
        assertThat(response.read("$.differences[0].a.output", String.class)).isEqualTo("FL-Linz");
        assertThat(response.json().<List<Object>>read("$.differences[0].toolCallsA")).isEmpty();
        assertThat(response.body()).doesNotContain("hunter2-secret", "ak-live-4242");
    }

    @Test
    void aForkThatRanWhatItsSourceRanComparesAsTheSame() {
        String source = completed("planner", "Krems");
        String fork = http.post("/actuator/sagas/" + source + "/fork", "{\"fromStep\": 2}").read("$.id", String.class);
        tester.awaitStatus(fork, SagaStatus.COMPLETED);

        Response response = http.get("/actuator/sagas/" + source + "/compare/" + fork);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.same", Boolean.class)).isTrue();
        assertThat(response.read("$", Map.class).get("divergedAt")).isNull();
        assertThat(response.json().<List<Object>>read("$.differences")).isEmpty();
    }

    @Test
    void answersNotFoundWhenEitherSagaOfAComparisonIsMissing() {
        String trip = completed("trip", "Wels");

        Response first = http.get("/actuator/sagas/no-such-saga/compare/" + trip);
        Response second = http.get("/actuator/sagas/" + trip + "/compare/no-such-saga");

        assertThat(first.status()).as(first.toString()).isEqualTo(404);
        assertThat(second.status()).as(second.toString()).isEqualTo(404);
    }

    @Test
    void refusesToCompareSagasOfTwoWorkflows() {
        String trip = completed("trip", "Steyr");
        String planner = completed("planner", "Steyr");

        Response response = http.get("/actuator/sagas/" + trip + "/compare/" + planner);

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("different workflows");
    }

    @Test
    void refusesAnUnknownPartOfTwoSagas() {
        String trip = completed("trip", "Leoben");

        Response response = http.get("/actuator/sagas/" + trip + "/contrast/" + trip);

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
    }

    @Test
    void refusesToForkFromAStepOutsideTheJournal() {
        String trip = completed("trip", "Villach");

        Response response = http.post("/actuator/sagas/" + trip + "/fork", "{\"fromStep\": 9}");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("steps 1 to 2");
        assertThat(forksOf(trip)).isZero();
    }

    @Test
    void refusesToForkPastAStepInDoubt() {
        SagaView inDoubt = tester.awaitStatus(coordinator.start("payment", TripRequest.to("Klagenfurt")).id(),
                SagaStatus.NEEDS_ATTENTION);

        Response response = http.post("/actuator/sagas/" + inDoubt.id() + "/fork", "{\"fromStep\": 2}");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("in doubt");
    }

    @Test
    void refusesAForkInAVersionNoNodeRuns() {
        String trip = completed("trip", "Innsbruck");

        Response response = http.post("/actuator/sagas/" + trip + "/fork",
                "{\"fromStep\": 1, \"workflowVersion\": \"7\"}");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("version '7'");
    }

    @Test
    void refusesAForkWithoutAStepOrWithABlankModel() {
        String trip = completed("trip", "Dornbirn");

        Response withoutStep = http.post("/actuator/sagas/" + trip + "/fork", "{\"model\": \"planner-large\"}");
        Response blankModel = http.post("/actuator/sagas/" + trip + "/fork", "{\"fromStep\": 1, \"model\": \" \"}");

        assertThat(withoutStep.status()).as(withoutStep.toString()).isEqualTo(400);
        assertThat(withoutStep.body()).contains("'fromStep' is required");
        assertThat(blankModel.status()).as(blankModel.toString()).isEqualTo(400);
        assertThat(blankModel.body()).contains("model must not be blank");
        assertThat(forksOf(trip)).isZero();
    }

    @Test
    void refusesAWriteOnASagaThatDoesNotExistWithTheReason() {

        Response fork = http.post("/actuator/sagas/no-such-saga/fork", "{\"fromStep\": 1}");
        Response cancel = http.post("/actuator/sagas/no-such-saga/cancel");

        assertThat(fork.status()).as(fork.toString()).isEqualTo(400);
        assertThat(fork.body()).contains("No saga has the id 'no-such-saga'");
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(400);
        assertThat(cancel.body()).contains("no-such-saga");
    }

    @Test
    void theEnginesRefusalsReachAnApplicationsControllerAsProblemDetails() {
        String trip = completed("trip", "Eisenstadt");
        String planner = completed("planner", "Eisenstadt");

        Response outside = http.post("/trips/" + trip + "/forks?fromStep=9");
        Response missing = http.post("/trips/no-such-saga/forks?fromStep=1");
        Response version = http.post("/trips/" + trip + "/forks?fromStep=1&version=7");
        Response workflows = http.get("/trips/" + trip + "/compare/" + planner);

        assertProblem(outside, 409, "invalid-saga-state");
        assertThat(outside.read("$.sagaId", String.class)).isEqualTo(trip);
        assertThat(outside.read("$.step", Integer.class)).isEqualTo(9);
        assertProblem(missing, 404, "saga-not-found");
        assertThat(missing.read("$.sagaId", String.class)).isEqualTo("no-such-saga");
        assertProblem(version, 400, "unknown-workflow");
        assertThat(version.read("$.sagaId", String.class)).isEqualTo(trip);
        assertProblem(workflows, 409, "invalid-saga-state");
    }

    private static void assertProblem(Response response, int status, String type) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.read("$.type", String.class))
                .isEqualTo(AgentSagaProblemDetailsExceptionHandler.TYPE_PREFIX + type);
        assertThat(response.read("$.detail", String.class)).isNotBlank();
    }

    private String completed(String workflow, String destination) {
        String id = coordinator.start(workflow, TripRequest.to(destination)).id();
        return tester.awaitStatus(id, SagaStatus.COMPLETED).id();
    }

    private long forksOf(String sagaId) {
        return coordinator.list(SagaQuery.all().withPage(0, 200)).items().stream()
                .map(summary -> coordinator.find(summary.id()).orElseThrow())
                .filter(saga -> sagaId.equals(saga.forkedFrom())).count();
    }
}
