package dev.agentsaga.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.test.web.servlet.client.assertj.RestTestClientResponse;

import dev.agentsaga.SagaStatus;

/**
 * The concierge's HTTP API: a request posted as JSON is arranged, and its evening is read back with the
 * timeline; a refused room charge shows the compensations newest first; an unknown id is a 404 problem.
 * The application is configured as {@link TripApiProblemsTest}'s, so the two share one cached context,
 * which Spring's test framework pauses while the other classes run and restarts for the second of the two.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:trip-api;MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
        "sample.model=scripted", "agent.saga.shutdown-grace=1s" })
class ConciergeApiTest {

    @LocalServerPort
    private int port;

    private RestTestClient client;

    @BeforeEach
    void connect() {
        client = RestTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
    }

    @Test
    void aRequestPostedAsJsonIsArrangedAndReadBackWithItsTimeline() {
        String id = start("{\"request\": \"" + ConciergeDemo.HAPPY_REQUEST + "\"}");

        ConciergeController.Evening evening = awaitEnd(id);

        assertThat(evening.status()).isEqualTo("COMPLETED");
        assertThat(evening.request()).isEqualTo(ConciergeDemo.HAPPY_REQUEST);
        assertThat(evening.answer()).contains("Arranged: a table for 2 at Tasca do Largo");
        assertThat(evening.timeline()).extracting(Timeline.Row::name).contains("reserve_table", "buyTickets",
                "chargeToRoom");
        assertThat(evening.compensations()).isEmpty();
    }

    @Test
    void aRefusedRoomChargeShowsTheCompensationsNewestFirst() {
        String id = start("{\"request\": \"" + ConciergeDemo.CHECKED_OUT_REQUEST + "\"}");

        ConciergeController.Evening evening = awaitEnd(id);

        assertThat(evening.status()).isEqualTo("COMPENSATED");
        assertThat(evening.compensations()).containsExactly("buyTickets", "reserve_table");
        assertThat(evening.error()).contains("has checked out");
    }

    @Test
    void anUnknownIdIsA404Problem() {
        var response = RestTestClientResponse.from(client.get().uri("/concierge/no-such-evening").exchange());

        assertThat(response).hasStatus(HttpStatus.NOT_FOUND)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response).bodyJson().extractingPath("$.sagaId").isEqualTo("no-such-evening");
    }

    private String start(String json) {
        ConciergeController.Started started = client.post().uri("/concierge").contentType(MediaType.APPLICATION_JSON)
                .body(json).exchange().expectStatus().isAccepted().expectBody(ConciergeController.Started.class)
                .returnResult().getResponseBody();
        assertThat(started).isNotNull();
        return started.id();
    }

    private ConciergeController.Evening awaitEnd(String id) {
        AtomicReference<ConciergeController.Evening> evening = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            evening.set(client.get().uri("/concierge/{id}", id).exchange().expectStatus().isOk()
                    .expectBody(ConciergeController.Evening.class).returnResult().getResponseBody());
            SagaStatus status = evening.get() == null ? SagaStatus.PENDING : SagaStatus.valueOf(evening.get().status());
            return status.isTerminal() || status == SagaStatus.NEEDS_ATTENTION;
        });
        return evening.get();
    }
}
