package dev.agentsaga.autoconfigure.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.autoconfigure.app.ActuatorHttp.Response;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.store.jdbc.JdbcSagaStore;
import dev.agentsaga.test.AutoConfigureSagaTest;
import dev.agentsaga.test.TestDatabase;

/**
 * The starter in a running web application on an empty PostgreSQL schema: sagas run, and an operator
 * reads and operates them over HTTP through {@code /actuator/sagas}, with write access granted.
 */
@SpringBootTest(classes = SagaStarterTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=sagas,sagafleet,health,metrics",
        "management.endpoint.sagas.access=unrestricted",
        "management.endpoint.health.show-details=always",
        "spring.web.error.include-message=always",
        "spring.datasource.hikari.maximum-pool-size=4",
        "agent.saga.poll-interval=100ms",
        "agent.saga.policy.initial-backoff=5ms",
        "agent.saga.policy.max-backoff=10ms",
        "agent.saga.shutdown-grace=1s" })
@AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
@DirtiesContext
class SagaStarterApplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    private int port;

    @Autowired
    private SagaCoordinator coordinator;

    @Autowired
    private FlightDesk flightDesk;

    @Autowired
    private TestDatabase database;

    private ActuatorHttp http;

    @BeforeEach
    void connect() {
        http = new ActuatorHttp(port);
    }

    @Test
    void createsTheTablesInTheScratchSchema() {

        List<String> tables = database.jdbc().queryForList(
                "SELECT lower(table_name) FROM information_schema.tables WHERE table_schema = ?", String.class,
                database.name());

        assertThat(tables).contains("agent_saga_instance", "agent_saga_step", "agent_saga_signal");
    }

    @Test
    void listsSagasByStatusAndWorkflowNewestFirst() {
        String older = compensatedTrip("Atlantis North");
        String newer = compensatedTrip("Atlantis South");

        Response response = http.get("/actuator/sagas?status=COMPENSATED&workflow=trip&page=0&size=20");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<String> ids = response.json().read("$.sagas[*].id");
        assertThat(ids).contains(older, newer);
        assertThat(ids.indexOf(newer)).isLessThan(ids.indexOf(older));
        assertThat(response.json().<List<String>>read("$.sagas[*].status")).containsOnly("COMPENSATED");
        assertThat(response.json().<List<String>>read("$.sagas[*].workflow")).containsOnly("trip");
        assertThat(response.read("$.sagas[0]", Map.class))
                .containsKeys("id", "workflow", "workflowVersion", "status", "createdAt", "updatedAt");
        assertThat(response.read("$.page", Integer.class)).isZero();
        assertThat(response.read("$.size", Integer.class)).isEqualTo(20);
        assertThat(response.read("$.total", Long.class)).isGreaterThanOrEqualTo(2);
        assertThat(response.read("$.totalExact", Boolean.class)).isTrue();
    }

    @Test
    void pagesTheList() {
        compensatedTrip("Atlantis East");
        compensatedTrip("Atlantis West");

        Response response = http.get("/actuator/sagas?workflow=trip&page=0&size=1");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().<List<String>>read("$.sagas[*].id")).hasSize(1);
        assertThat(response.read("$.size", Integer.class)).isEqualTo(1);
        assertThat(response.read("$.total", Long.class)).isGreaterThanOrEqualTo(2);
        assertThat(response.read("$.totalExact", Boolean.class)).isTrue();
    }

    @Test
    void countsALongListUpToTheLimitAndSaysTheTotalIsALowerBound() {
        // finished sagas of a workflow this application does not run, written as an old journal would hold them
        database.jdbc().update("""
                INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, cancel_requested, lease_epoch,
                                                 created_at, updated_at)
                SELECT 'archived-' || g, 'archived', '1', 'COMPLETED', FALSE, 1, now() - g * interval '1 second',
                       now() - g * interval '1 second'
                FROM generate_series(1, ?) AS g""", JdbcSagaStore.TOTAL_LIMIT + 1);

        Response all = http.get("/actuator/sagas?workflow=archived&size=20");
        Response completed = http.get("/actuator/sagas?workflow=archived&status=COMPLETED,FAILED&page=1&size=20");

        assertThat(List.of(all, completed)).allSatisfy(response -> {
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.json().<List<String>>read("$.sagas[*].id")).hasSize(20);
            assertThat(response.read("$.total", Long.class)).isEqualTo(JdbcSagaStore.TOTAL_LIMIT);
            assertThat(response.read("$.totalExact", Boolean.class)).isFalse();
        });
        assertThat(all.read("$.sagas[0].id", String.class)).isEqualTo("archived-1");
        assertThat(completed.read("$.sagas[0].id", String.class)).isEqualTo("archived-21");
    }

    @Test
    void showsASagaWithItsStepsAndPayloadsAsJson() {
        String id = compensatedTrip("Atlantis");

        Response response = http.get("/actuator/sagas/" + id);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.id", String.class)).isEqualTo(id);
        assertThat(response.read("$.workflow", String.class)).isEqualTo("trip");
        assertThat(response.read("$.workflowVersion", String.class)).isEqualTo("1");
        assertThat(response.read("$.status", String.class)).isEqualTo("COMPENSATED");
        assertThat(response.read("$.input.destination", String.class)).isEqualTo("Atlantis");
        assertThat(response.read("$.error", Object.class)).asString().contains("no rooms in Atlantis");
        assertThat(response.read("$.errorStep", Integer.class)).isEqualTo(2);
        assertThat(response.read("$", Map.class)).containsKeys("createdAt", "updatedAt");
        assertThat(response.json().<List<String>>read("$.steps[*].name")).containsExactly("bookFlight", "bookHotel");
    }

    @Test
    void showsEachStepWithItsCompensation() {
        String id = compensatedTrip("Atlantis Deep");

        Response response = http.get("/actuator/sagas/" + id);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        Map<String, Object> flight = response.read("$.steps[0]", Map.class);
        assertThat(flight).containsEntry("seq", 1).containsEntry("name", "bookFlight").containsEntry("kind", "ACTION")
                .containsEntry("status", "COMPENSATED").containsEntry("reversibility", "COMPENSABLE")
                .containsEntry("attempts", 1).containsEntry("compensationAttempts", 1)
                .containsEntry("idempotencyKey", id + ":1").containsEntry("output", "FL-Atlantis Deep")
                .containsKeys("startedAt", "finishedAt", "durationMillis", "compensatedAt", "input");
        assertThat(flight.get("durationMillis")).isInstanceOf(Number.class);
        Map<String, Object> hotel = response.read("$.steps[1]", Map.class);
        assertThat(hotel).containsEntry("seq", 2).containsEntry("name", "bookHotel").containsEntry("status", "FAILED")
                .containsEntry("attempts", 3);
        assertThat(String.valueOf(hotel.get("error"))).contains("no rooms in Atlantis Deep");
    }

    @Test
    void masksSecretFieldsAtAnyDepth() {
        String id = compensatedTrip("Atlantis Vault");

        Response response = http.get("/actuator/sagas/" + id);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.input.password", String.class)).isEqualTo("******");
        assertThat(response.read("$.input.traveller.apiKey", String.class)).isEqualTo("******");
        assertThat(response.read("$.input.traveller.name", String.class)).isEqualTo("Ada");
        assertThat(response.read("$.steps[0].input.password", String.class)).isEqualTo("******");
        assertThat(response.body()).doesNotContain("hunter2-secret", "ak-live-4242");
    }

    @Test
    void exportsAJournalWithTheSameFieldsMasked() {
        String id = compensatedTrip("Atlantis Archive");

        Response response = http.get("/actuator/sagas/" + id + "/journal");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.format", String.class)).isEqualTo(SagaExport.FORMAT);
        assertThat(response.read("$.id", String.class)).isEqualTo(id);
        assertThat(response.read("$.status", String.class)).isEqualTo("COMPENSATED");
        assertThat(response.read("$.input.password", String.class)).isEqualTo("******");
        assertThat(response.read("$.steps[0].input.password", String.class)).isEqualTo("******");
        assertThat(response.read("$.steps[0].seq", Integer.class)).isEqualTo(1);
        assertThat(response.body()).doesNotContain("hunter2-secret", "ak-live-4242");
        SagaExport export = SagaExport.fromJson(response.body());
        assertThat(export.steps()).extracting(StepRecord::name)
                .containsExactlyElementsOf(coordinator.export(id).orElseThrow().steps().stream().map(StepRecord::name)
                        .toList());
    }

    @Test
    void answersNotFoundForTheJournalOfAnUnknownSaga() {

        Response response = http.get("/actuator/sagas/no-such-saga/journal");

        assertThat(response.status()).as(response.toString()).isEqualTo(404);
    }

    @Test
    void answersNotFoundForAnUnknownSaga() {

        Response response = http.get("/actuator/sagas/no-such-saga");

        assertThat(response.status()).as(response.toString()).isEqualTo(404);
    }

    @Test
    void retriesACompensationOnceItsCauseIsFixed() {
        flightDesk.breakCancellations("Atlantis Reef");
        SagaView failed = coordinator.start("trip", TripRequest.to("Atlantis Reef")).await(WAIT);
        assertThat(failed.status()).isEqualTo(SagaStatus.COMPENSATION_FAILED);
        flightDesk.fixCancellations("Atlantis Reef");

        Response response = http.post("/actuator/sagas/" + failed.id() + "/retry");

        assertThat(response.status()).as(response.toString()).isBetween(200, 299);
        awaitStatus(failed.id(), SagaStatus.COMPENSATED);
        assertThat(flightDesk.cancelled()).contains("Atlantis Reef");
    }

    @Test
    void cancelsAWaitingSagaAndCompensatesIt() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Lisbon")).await(WAIT);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        Response response = http.post("/actuator/sagas/" + waiting.id() + "/cancel");

        assertThat(response.status()).as(response.toString()).isBetween(200, 299);
        awaitStatus(waiting.id(), SagaStatus.COMPENSATED);
        assertThat(flightDesk.cancelled()).contains("Lisbon");
    }

    @Test
    void deliversASignalToAWaitingSaga() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Porto")).await(WAIT);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        Response response = http.post("/actuator/sagas/" + waiting.id() + "/signal",
                "{\"name\": \"approval\", \"payload\": \"alice\"}");

        assertThat(response.status()).as(response.toString()).isBetween(200, 299);
        awaitStatus(waiting.id(), SagaStatus.COMPLETED);
        assertThat(http.get("/actuator/sagas/" + waiting.id()).read("$.output", String.class))
                .isEqualTo("approved by alice");
    }

    @Test
    void resolvesAnInDoubtStepAsHappened() {
        SagaView inDoubt = coordinator.start("payment", TripRequest.to("Madrid")).await(WAIT);
        assertThat(inDoubt.status()).isEqualTo(SagaStatus.NEEDS_ATTENTION);

        Response response = http.post("/actuator/sagas/" + inDoubt.id() + "/resolve",
                "{\"outcome\": \"HAPPENED\", \"output\": \"receipt-42\", \"note\": \"checked with the bank\"}");

        assertThat(response.status()).as(response.toString()).isBetween(200, 299);
        awaitStatus(inDoubt.id(), SagaStatus.COMPLETED);
        Response detail = http.get("/actuator/sagas/" + inDoubt.id());
        assertThat(detail.read("$.output", String.class)).isEqualTo("receipt-42");
        assertThat(detail.read("$.steps[0].note", String.class)).contains("checked with the bank");
    }

    @Test
    void refusesAnOperationTheSagaIsNotInTheStatusFor() {
        String id = compensatedTrip("Atlantis Bay");

        Response response = http.post("/actuator/sagas/" + id + "/retry");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("COMPENSATED");
        assertThat(coordinator.find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
    }

    @Test
    void erasesAFinishedSagasPayloadsAndShowsWhen() {
        String id = compensatedTrip("Atlantis Erasable");

        Response response = http.post("/actuator/sagas/" + id + "/erase");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.erasedAt", String.class)).isNotNull();
        assertThat(response.read("$.status", String.class)).isEqualTo("COMPENSATED");
        assertThat(response.read("$.input", String.class)).isEqualTo("[erased]");
        assertThat(response.read("$.steps[1].error.message", String.class)).isEqualTo("[erased]");
        assertThat(response.json().<List<String>>read("$.steps[*].name")).containsExactly("bookFlight", "bookHotel");
        assertThat(response.body()).doesNotContain("Erasable");
        Response journal = http.get("/actuator/sagas/" + id + "/journal");
        assertThat(journal.read("$.erasedAt", String.class)).isEqualTo(response.read("$.erasedAt", String.class));
        assertThat(journal.body()).doesNotContain("Erasable");
    }

    @Test
    void refusesToEraseASagaThatHasNotFinished() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Lisbon Erasable")).await(WAIT);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        Response response = http.post("/actuator/sagas/" + waiting.id() + "/erase");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("is WAITING; only a finished saga");
        assertThat(coordinator.find(waiting.id()).orElseThrow().input()).contains("Lisbon Erasable");
    }

    @Test
    void refusesAnUnknownOperation() {
        String id = compensatedTrip("Atlantis Cove");

        Response response = http.post("/actuator/sagas/" + id + "/explode");

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
    }

    @Test
    void reportsTheEngineInTheHealthEndpoint() {

        Response response = http.get("/actuator/health");
        Response component = http.get("/actuator/health/agentSaga");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.components.agentSaga.status", String.class)).isEqualTo("UP");
        assertThat(component.status()).as(component.toString()).isEqualTo(200);
        assertThat(component.read("$.details.needsAttention", Integer.class)).isNotNegative();
        assertThat(response.read("$.components.agentSaga.details.needsAttention", Integer.class)).isNotNegative();
        assertThat(response.read("$.components.agentSaga.details.compensationFailed", Integer.class)).isNotNegative();
    }

    @Test
    void showsTheNodeTheVersionsItRunsAndTheSagasOfAVersionNoNodeRuns() {
        // a saga of a version this application no longer runs, as a rolling upgrade leaves one behind
        database.jdbc().update("""
                INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, cancel_requested, lease_epoch,
                                                 created_at, updated_at)
                VALUES ('retired-1', 'trip', '0', 'PENDING', FALSE, 0, now(), now())""");
        try {
            Response fleet = http.get("/actuator/sagafleet");
            Response health = http.get("/actuator/health/agentSaga");

            assertThat(fleet.status()).as(fleet.toString()).isEqualTo(200);
            assertThat(fleet.json().<List<Boolean>>read("$.nodes[*].running")).containsExactly(true);
            assertThat(fleet.read("$.nodes[0].workflows.trip", String.class)).isEqualTo("1");
            assertThat(fleet.json().<List<String>>read("$.versions[?(@.workflow == 'trip' && @.version == '1')]"
                    + ".runningOn[*]")).hasSize(1);
            assertThat(fleet.json().<List<Integer>>read("$.unserved[?(@.workflow == 'trip' && @.version == '0')]"
                    + ".unfinished")).containsExactly(1);
            assertThat(fleet.read("$.unservedSagas", Long.class)).isEqualTo(1);
            assertThat(health.read("$.details.unservedSagas", Integer.class)).isEqualTo(1);
            assertThat(health.json().<List<String>>read("$.details.unservedVersions[*].version")).containsExactly("0");
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                    http.get("/actuator/metrics/agent.saga.sagas.unserved").read("$.measurements[0].value", Double.class))
                    .isEqualTo(1.0));
        }
        finally {
            database.jdbc().update("DELETE FROM agent_saga_instance WHERE id = 'retired-1'");
        }
    }

    @Test
    void publishesSagaMetrics() {
        compensatedTrip("Atlantis Metrics");

        Map<String, List<String>> tagsByMeter = Map.of(
                "agent.saga.sagas.started", List.of("workflow"),
                "agent.saga.sagas.finished", List.of("workflow", "status"),
                "agent.saga.step.duration", List.of("workflow", "action", "outcome"),
                "agent.saga.compensations", List.of("workflow", "action", "outcome"),
                "agent.saga.retries", List.of("workflow", "action"),
                "agent.saga.step", List.of());

        await().atMost(WAIT).untilAsserted(() -> assertThat(tagsByMeter).allSatisfy((meter, tags) -> {
            Response response = http.get("/actuator/metrics/" + meter);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.json().<List<String>>read("$.availableTags[*].tag")).as(meter).containsAll(tags);
        }));
    }

    private String compensatedTrip(String destination) {
        SagaView view = coordinator.start("trip", TripRequest.to(destination)).await(WAIT);
        assertThat(view.status()).as("saga to %s: %s", destination, view.error()).isEqualTo(SagaStatus.COMPENSATED);
        return view.id();
    }

    private void awaitStatus(String sagaId, SagaStatus expected) {
        await().atMost(WAIT).until(() -> coordinator.find(sagaId).map(SagaView::status).orElseThrow(),
                status -> status == expected);
    }
}
