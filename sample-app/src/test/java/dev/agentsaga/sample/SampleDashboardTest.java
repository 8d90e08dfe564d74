package dev.agentsaga.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;

/** The sample serves the dashboard: the list of trips, and a trip waiting for the approval of its e-mail. */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:trip-dashboard;MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
        "sample.model=scripted", "agent.saga.shutdown-grace=1s" })
class SampleDashboardTest {

    @LocalServerPort
    private int port;

    @Autowired
    private SagaCoordinator sagas;

    @Test
    void servesTheDashboardWithActions() throws InterruptedException {
        String id = sagas.start(TripWorkflow.NAME, DemoRunner.HAPPY_GOAL).id();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (sagas.find(id).orElseThrow().status() != SagaStatus.WAITING && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        RestTestClient client = RestTestClient.bindToServer().baseUrl("http://localhost:" + port).build();

        var list = client.get().uri("/agent-saga").exchange().returnResult(String.class);
        var trip = client.get().uri("/agent-saga/sagas/" + id).exchange().returnResult(String.class);

        assertThat(list.getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(list.getResponseHeaders().getContentType().isCompatibleWith(MediaType.TEXT_HTML)).isTrue();
        assertThat(list.getResponseBody()).contains(id);
        assertThat(trip.getResponseBody()).contains("Waiting for approval of the tool call")
                .contains("data-action=\"approve\"");
    }
}
