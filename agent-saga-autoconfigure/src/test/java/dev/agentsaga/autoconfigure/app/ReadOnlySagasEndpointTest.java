package dev.agentsaga.autoconfigure.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

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
import dev.agentsaga.autoconfigure.app.ActuatorHttp.Response;
import dev.agentsaga.test.AutoConfigureSagaTest;

/**
 * With the endpoint's default (read-only) access, sagas can be read over HTTP but not operated; this
 * application also masks a field of its own choosing.
 */
@SpringBootTest(classes = SagaStarterTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=sagas,health,metrics",
        "agent.saga.endpoint.redact=destination,password",
        "spring.datasource.hikari.maximum-pool-size=4",
        "agent.saga.poll-interval=100ms",
        "agent.saga.shutdown-grace=1s" })
@AutoConfigureSagaTest(database = AutoConfigureSagaTest.Database.POSTGRESQL)
@DirtiesContext
class ReadOnlySagasEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    private int port;

    @Autowired
    private SagaCoordinator coordinator;

    private ActuatorHttp http;

    @BeforeEach
    void connect() {
        http = new ActuatorHttp(port);
    }

    @Test
    void withSpringBootsDefaultsTheHealthEndpointAnswersTheStatusAloneAndHidesTheComponent() {

        Response overall = http.get("/actuator/health");
        Response component = http.get("/actuator/health/agentSaga");

        assertThat(overall.status()).as(overall.toString()).isEqualTo(200);
        assertThat(overall.json().<java.util.Map<String, Object>>read("$")).containsEntry("status", "UP")
                .doesNotContainKey("components");
        assertThat(component.status()).as("docs/operations.md says so: %s", component).isEqualTo(404);
    }

    @Test
    void readsASaga() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Vienna")).await(WAIT);

        Response response = http.get("/actuator/sagas/" + waiting.id());

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.status", String.class)).isEqualTo("WAITING");
    }

    @Test
    void masksTheFieldsNamedInTheRedactProperty() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Sarajevo")).await(WAIT);

        Response response = http.get("/actuator/sagas/" + waiting.id());

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.input.destination", String.class)).isEqualTo("******");
        assertThat(response.read("$.input.password", String.class)).isEqualTo("******");
        assertThat(response.read("$.steps[0].input.destination", String.class)).isEqualTo("******");
    }

    @Test
    void comparesTwoSagasWithTheFieldsOfTheRedactPropertyMasked() {
        SagaView vienna = coordinator.start("approvalTrip", TripRequest.to("Vienna")).await(WAIT);
        SagaView graz = coordinator.start("approvalTrip", TripRequest.to("Graz")).await(WAIT);

        Response response = http.get("/actuator/sagas/" + vienna.id() + "/compare/" + graz.id());

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.read("$.divergedAt", Integer.class)).isEqualTo(1);
        assertThat(response.read("$.differences[0].a.input.destination", String.class)).isEqualTo("******");
        assertThat(response.read("$.a.status", String.class)).isEqualTo("WAITING");
        assertThat(response.read("$.differences[0].b.output", String.class)).isEqualTo("FL-Graz");
        assertThat(response.body()).doesNotContain("hunter2-secret");
    }

    @Test
    void refusesToForkASaga() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Linz")).await(WAIT);

        Response response = http.post("/actuator/sagas/" + waiting.id() + "/fork", "{\"fromStep\": 1}");

        assertThat(response.status()).as(response.toString()).isBetween(400, 499);
        assertThat(coordinator.list(SagaQuery.all().withPage(0, 200)).items()).noneSatisfy(summary ->
                assertThat(coordinator.find(summary.id()).orElseThrow().forkedFrom()).isEqualTo(waiting.id()));
    }

    @Test
    void refusesToCancelASaga() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Prague")).await(WAIT);
        assertThat(waiting.status()).isEqualTo(SagaStatus.WAITING);

        Response response = http.post("/actuator/sagas/" + waiting.id() + "/cancel");

        assertThat(response.status()).as(response.toString()).isBetween(400, 499);
        SagaView after = coordinator.find(waiting.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(SagaStatus.WAITING);
        assertThat(after.cancelRequested()).isFalse();
    }

    @Test
    void refusesToSignalASaga() {
        SagaView waiting = coordinator.start("approvalTrip", TripRequest.to("Bratislava")).await(WAIT);

        Response response = http.post("/actuator/sagas/" + waiting.id() + "/signal",
                "{\"name\": \"approval\", \"payload\": \"mallory\"}");

        assertThat(response.status()).as(response.toString()).isBetween(400, 499);
        assertThat(coordinator.find(waiting.id()).orElseThrow().status()).isEqualTo(SagaStatus.WAITING);
    }
}
