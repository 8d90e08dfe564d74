package dev.agentsaga.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.test.web.servlet.client.assertj.RestTestClientResponse;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaQuery;

/**
 * The sample's HTTP API answers bad requests with 4xx problem details (RFC 9457), never 500: a goal over
 * the payload limit, a JSON body nested deeper than the JSON reader allows, an unknown trip.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:trip-api;MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
        "sample.model=scripted", "agent.saga.shutdown-grace=1s" })
class TripApiProblemsTest {

    private static final int DEPTH = 600;

    @LocalServerPort
    private int port;

    @Autowired
    private SagaCoordinator sagas;

    private RestTestClient client;

    @BeforeEach
    void connect() {
        client = RestTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
    }

    @Test
    void answersAGoalOverThePayloadLimitWith413AndStartsNoTrip() {
        String goal = "Lisbon, please. ".repeat(2 * 1024 * 1024 / 16);
        long tripsBefore = trips();

        var response = post(MediaType.APPLICATION_JSON, "{\"goal\": \"" + goal + "\"}");

        assertThat(response).hasStatus(HttpStatus.CONTENT_TOO_LARGE)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response).bodyJson().extractingPath("$.title").isEqualTo("Payload too large");
        assertThat(response).bodyJson().extractingPath("$.detail").asString().contains("over the limit of 1048576 bytes");
        assertThat(response).bodyJson().extractingPath("$.sagaId").asString().isNotBlank();
        assertThat(trips()).isEqualTo(tripsBefore);
    }

    @Test
    void answersAPlainTextGoalOverThePayloadLimitWith413() {
        String goal = "x".repeat(2 * 1024 * 1024);

        var response = post(MediaType.TEXT_PLAIN, goal);

        assertThat(response).hasStatus(HttpStatus.CONTENT_TOO_LARGE)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"goal\": \"Lisbon\", \"extra\": %s}", "{\"goal\": %s}" })
    void answersJsonNested600DeepWith400(String template) {
        String nested = "[".repeat(DEPTH) + "]".repeat(DEPTH);

        var response = post(MediaType.APPLICATION_JSON, template.formatted(nested));

        assertThat(response).hasStatus(HttpStatus.BAD_REQUEST)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response).bodyJson().extractingPath("$.status").isEqualTo(400);
        assertThat(response).bodyText().doesNotContain("Exception", "at tools.jackson");
    }

    @Test
    void answersAFormPostWith415InsteadOfMisreadingIt() {

        var response = post(MediaType.APPLICATION_FORM_URLENCODED, "goal=Lisbon");

        assertThat(response).hasStatus(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void answersAnEmptyGoalWith400() {

        var response = post(MediaType.APPLICATION_JSON, "{\"goal\": \"  \"}");

        assertThat(response).hasStatus(HttpStatus.BAD_REQUEST);
        assertThat(response).bodyJson().extractingPath("$.detail").asString().contains("The goal is empty");
    }

    @Test
    void answersAnUnknownTripWith404() {

        var response = RestTestClientResponse.from(client.get().uri("/trips/no-such-trip").exchange());

        assertThat(response).hasStatus(HttpStatus.NOT_FOUND)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response).bodyJson().extractingPath("$.sagaId").isEqualTo("no-such-trip");
    }

    @Test
    void answersADecisionForAnUnknownTripWith404() {

        var response = RestTestClientResponse.from(client.post().uri("/trips/no-such-trip/approval")
                .contentType(MediaType.APPLICATION_JSON).body("{\"approved\": true, \"by\": \"ops\"}").exchange());

        assertThat(response).hasStatus(HttpStatus.NOT_FOUND)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void startsATripFromAGoalAsJsonOrAsText() {

        var json = post(MediaType.APPLICATION_JSON, "{\"goal\": \"A weekend in Lisbon\"}");
        var text = post(MediaType.TEXT_PLAIN, "A weekend in Porto");

        assertThat(json).hasStatus(HttpStatus.ACCEPTED).bodyJson().extractingPath("$.status").isEqualTo("started");
        assertThat(text).hasStatus(HttpStatus.ACCEPTED).bodyJson().extractingPath("$.status").isEqualTo("started");
    }

    private RestTestClientResponse post(MediaType type, String body) {
        return RestTestClientResponse.from(client.post().uri("/trips").contentType(type).body(body).exchange());
    }

    private long trips() {
        return sagas.list(SagaQuery.all().withWorkflow(TripWorkflow.NAME)).total();
    }
}
