package dev.agentsaga.sample;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.test.AutoConfigureSagaTest;
import dev.agentsaga.test.SagaTester;

/**
 * The sample's concierge agent in its own Spring Boot application, as the sample wires it: a ChatClient from
 * the auto-configured builder, the @Tool methods of the desk, the tools of the restaurants' MCP server that
 * the application starts, declared in application.properties; the scripted model plays the conversation.
 */
@SpringBootTest(properties = {
        "spring.datasource.url=jdbc:h2:mem:concierge-agent-boot;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DEFAULT_NULL_ORDERING=HIGH",
        "sample.model=scripted", "sample.demo=false", "spring.main.web-application-type=none" })
@AutoConfigureSagaTest
class ConciergeAgentBootTest {

    @Autowired
    private SagaCoordinator sagas;

    @Autowired
    private SagaTester tester;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void arrangesTheEveningWithEveryModelCallAndToolCallAJournaledStep() {
        String id = sagas.start(ConciergeWorkflow.NAME, ConciergeDemo.HAPPY_REQUEST).id();

        SagaView evening = tester.awaitFinal(id);

        assertThatSaga(evening).isCompleted().compensatedNothing()
                .hasStepNames("model", "search_restaurants", "model", "reserve_table", "model", "findEvents", "model",
                        "buyTickets", "model", "chargeToRoom", "model")
                .hasIdempotencyKey("reserve_table", id + ":4").hasIdempotencyKey("buyTickets", id + ":8");
        assertThat(evening.output()).contains("[scripted model] Arranged: a table for 2 at Tasca do Largo")
                .contains("charged to room 312");
        assertThat(reversibility(evening, "search_restaurants")).as("the server's readOnlyHint")
                .isEqualTo(Reversibility.READ_ONLY);
        assertThat(reversibility(evening, "reserve_table")).as("agent.saga.mcp.servers.restaurants...")
                .isEqualTo(Reversibility.COMPENSABLE);
        assertThat(reversibility(evening, "buyTickets")).as("@SagaTool").isEqualTo(Reversibility.COMPENSABLE);
        assertThat(statuses("restaurant_table", id)).containsExactly("CONFIRMED");
        assertThat(statuses("box_office", id)).containsExactly("CONFIRMED");
        assertThat(statuses("room_bill", id)).containsExactly("CONFIRMED");
        assertThat(calls(id + ":4")).as("the MCP server got the step's key in the call's _meta")
                .containsExactly("restaurant_table.create");
    }

    @Test
    void aRoomChargeRefusedRefundsTheTicketsThenCancelsTheTableThroughTheMcpServer() {
        String id = sagas.start(ConciergeWorkflow.NAME, ConciergeDemo.CHECKED_OUT_REQUEST).id();

        SagaView evening = tester.awaitFinal(id);

        assertThatSaga(evening).isCompensated().compensatedInOrder("buyTickets", "reserve_table")
                .hasErrorContaining("room " + TravelProviders.CHECKED_OUT_ROOM + " has checked out");
        assertThat(Timeline.compensations(evening)).containsExactly("buyTickets", "reserve_table");
        assertThat(statuses("box_office", id)).containsExactly("CANCELLED");
        assertThat(statuses("restaurant_table", id)).containsExactly("CANCELLED");
        assertThat(statuses("room_bill", id)).isEmpty();
        assertThat(calls(id + ":4")).as("cancel_reservation was called with the key of the reservation's step")
                .containsExactlyInAnyOrder("restaurant_table.create", "restaurant_table.cancel");
        assertThat(calls(id + ":8")).containsExactlyInAnyOrder("box_office.create", "box_office.cancel");
    }

    private static Reversibility reversibility(SagaView view, String step) {
        return view.steps().stream().filter(s -> s.name().equals(step)).map(StepView::reversibility).findFirst()
                .orElseThrow();
    }

    private List<String> statuses(String provider, String sagaId) {
        return jdbc.sql("SELECT status FROM provider_record WHERE provider = ? AND idempotency_key LIKE ?")
                .params(provider, sagaId + ":%").query(String.class).list();
    }

    private List<String> calls(String key) {
        return jdbc.sql("SELECT operation FROM provider_call WHERE idempotency_key = ?")
                .param(key).query(String.class).list();
    }
}
