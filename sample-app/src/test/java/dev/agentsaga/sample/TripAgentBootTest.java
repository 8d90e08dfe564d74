package dev.agentsaga.sample;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.ToolApproval;
import dev.agentsaga.test.AutoConfigureSagaTest;
import dev.agentsaga.test.SagaTester;

/**
 * The sample's trip agent in its own Spring Boot application, on the test kit's clock: approved, it books
 * and confirms the trip; never approved, its approval times out after a day of test-clock time, which the
 * kit skips, and the agent undoes its bookings.
 */
@SpringBootTest(properties = {
        "spring.datasource.url=jdbc:h2:mem:trip-agent-boot;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH",
        "sample.model=scripted", "sample.demo=false", "spring.main.web-application-type=none" })
@AutoConfigureSagaTest
class TripAgentBootTest {

    @Autowired
    private SagaCoordinator sagas;

    @Autowired
    private SagaTester tester;

    @Test
    void anApprovedTripIsBookedAndConfirmed() {
        String id = sagas.start(TripWorkflow.NAME, DemoRunner.HAPPY_GOAL).id();

        tester.awaitStatus(id, SagaStatus.WAITING);
        sagas.signal(id, TripWorkflow.APPROVAL_SIGNAL, ToolApproval.approve("ana", "looks right"));
        SagaView trip = tester.awaitFinal(id);

        assertThatSaga(trip).isCompleted().compensatedNothing().hasIdempotencyKey("bookFlight",
                id + ":" + trip.steps().stream().filter(s -> s.name().equals("bookFlight")).findFirst()
                        .orElseThrow().seq());
    }

    @Test
    void aTripNobodyApprovesTimesOutAfterADayAndIsUndoneAtOnce() {
        String id = sagas.start(TripWorkflow.NAME, DemoRunner.HAPPY_GOAL).id();
        Duration movedBefore = tester.clock().offset();
        long started = System.nanoTime();

        SagaView trip = tester.awaitFinal(id);

        assertThatSaga(trip).isCompensated().compensatedInOrder("chargeCard", "bookHotel", "bookFlight");
        // the day of the approval's time-out, less the real milliseconds that passed before the clock was moved
        assertThat(tester.clock().offset().minus(movedBefore)).isGreaterThan(Duration.ofHours(23));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
}
