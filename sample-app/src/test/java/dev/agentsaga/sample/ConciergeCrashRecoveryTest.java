package dev.agentsaga.sample;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.mcp.SyncMcpToolCallbackProvider;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import io.micrometer.observation.ObservationRegistry;
import io.modelcontextprotocol.client.McpSyncClient;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaView;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaChatModel;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.mcp.McpSagaTools;
import dev.agentsaga.ai.mcp.McpToolDeclaration;
import dev.agentsaga.test.SagaTest;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;

/**
 * The concierge agent's classes (its workflow, the desk's @Tool methods, the restaurants' MCP server) on the
 * test kit's engine, with the durable seams that the starter adds put in by hand, and a scripted model: a
 * crash after the tickets were bought resumes from the journal without asking the model a turn again or
 * reserving or buying again, and a crash between the MCP server's reservation and its journal entry
 * reserves once (the repeated call carries the same idempotency key in its {@code _meta}).
 */
@SagaTest
class ConciergeCrashRecoveryTest {

    private static final Map<String, McpToolDeclaration> DECLARATIONS = Map.of("reserve_table",
            McpToolDeclaration.compensable("cancel_reservation",
                    Map.of("reservationId", "/result/reservationId", "requestId", "/idempotencyKey")));

    private TravelProviders providers;

    private RestaurantMcpServer server;

    private McpSyncClient client;

    private JdbcClient jdbc;

    @BeforeEach
    void startTheRestaurantsServer(SagaTestEnvironment env) {
        new ResourceDatabasePopulator(new ClassPathResource("schema.sql")).execute(env.dataSource());
        jdbc = JdbcClient.create(env.dataSource());
        providers = new TravelProviders(jdbc);
        server = RestaurantMcpServer.start(providers);
        client = RestaurantMcpConfiguration.connect(server);
    }

    @AfterEach
    void stopTheRestaurantsServer() {
        client.close();
        server.close();
    }

    @Test
    void aCrashAfterTheTicketsWereBoughtResumesWithoutAskingTheModelOrBuyingAgain(SagaTestEnvironment env) {
        ScriptedChatModel model = evening(env);
        env.configure(engine -> concierge(engine, model));
        env.crashes().afterStep(8);

        String id = env.start(ConciergeWorkflow.NAME, ConciergeDemo.HAPPY_REQUEST).id();
        env.awaitCrash();
        assertThat(model.requests()).as("turns asked before the crash").hasSize(4);
        env.restart();
        SagaView evening = env.awaitFinal(id);

        assertThatSaga(evening).isCompleted()
                .hasStepNames("model", "search_restaurants", "model", "reserve_table", "model", "findEvents", "model",
                        "buyTickets", "model", "chargeToRoom", "model")
                .spentTokens(6 * 130).savedTokens(4 * 130);
        assertThat(model.requests()).as("each turn asked once: the resumed agent asked only the last two").hasSize(6);
        assertThat(operations(id)).as("each provider call once").containsExactlyInAnyOrder("restaurants.search",
                "restaurant_table.create", "events.search", "box_office.create", "room_bill.create");
        assertThat(evening.steps()).allMatch(step -> step.attempts() == 1);
    }

    @Test
    void aCrashBeforeTheReservationIsJournaledReservesOnceWithTheSameKey(SagaTestEnvironment env) {
        ScriptedChatModel model = evening(env);
        env.configure(engine -> concierge(engine, model));
        env.crashes().afterEffectOf("reserve_table");

        String id = env.start(ConciergeWorkflow.NAME, ConciergeDemo.HAPPY_REQUEST).id();
        env.awaitCrash();
        env.restart();
        SagaView evening = env.awaitFinal(id);

        assertThatSaga(evening).isCompleted().hasIdempotencyKey("reserve_table", id + ":4");
        assertThat(model.requests()).as("the model is not asked the turns before the crash again").hasSize(6);
        assertThat(jdbc.sql("SELECT operation FROM provider_call WHERE idempotency_key = ?").param(id + ":4")
                .query(String.class).list()).as("the MCP server was called twice, under the step's key")
                .containsExactly("restaurant_table.create", "restaurant_table.create");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM provider_record WHERE provider = 'restaurant_table' "
                + "AND idempotency_key = ?").param(id + ":4").query(Integer.class).single())
                .as("and reserved one table").isEqualTo(1);
    }

    /** The conversation of {@link ConciergeDemo#HAPPY_REQUEST}: six turns of 100 + 30 tokens. */
    private static ScriptedChatModel evening(SagaTestEnvironment env) {
        return env.scriptedModel()
                .turn(expect -> expect.systemPrompt(ConciergeWorkflow.SYSTEM_PROMPT).tools("search_restaurants",
                        "reserve_table", "cancel_reservation", "findEvents", "buyTickets", "chargeToRoom"),
                        reply -> reply.toolCall("search_restaurants",
                                "{\"city\":\"Lisbon\",\"date\":\"2027-05-14\",\"time\":\"20:00\",\"guests\":2}")
                                .usage(100, 30))
                .turn(expect -> expect.lastMessageContains("Tasca do Largo"), reply -> reply.toolCall("reserve_table",
                        "{\"restaurant\":\"Tasca do Largo\",\"date\":\"2027-05-14\",\"time\":\"20:00\",\"guests\":2,"
                                + "\"name\":\"Ana Silva\"}").usage(100, 30))
                .turn(expect -> expect.lastMessageContains("RT-"), reply -> reply.toolCall("findEvents",
                        "{\"city\":\"Lisbon\",\"date\":\"2027-05-14\"}").usage(100, 30))
                .turn(expect -> expect.lastMessageContains("Fado at the Clube"), reply -> reply.toolCall("buyTickets",
                        "{\"event\":\"Fado at the Clube\",\"date\":\"2027-05-14\",\"quantity\":2}").usage(100, 30))
                .turn(expect -> expect.lastMessageContains("TK-"), reply -> reply.toolCall("chargeToRoom",
                        "{\"room\":312,\"amountEur\":70,\"description\":\"2 tickets: Fado at the Clube\"}")
                        .usage(100, 30))
                .turn(expect -> expect.lastMessageContains("RC-"), reply -> reply.text("Arranged.").usage(100, 30));
    }

    /**
     * The concierge as the starter wires it: its tools declared (the desk's by @SagaTool, the MCP server's as
     * application.properties declares them), the model calls journaled and the tool calls run as steps.
     */
    private void concierge(AgentSaga.Builder engine, ScriptedChatModel model) {
        ConciergeDesk desk = new ConciergeDesk(providers);
        SyncMcpToolCallbackProvider restaurants = SyncMcpToolCallbackProvider.builder().mcpClients(client).build();
        SagaTools tools = new SagaTools().addToolObject("conciergeDesk", desk, null);
        McpSagaTools.create().server(RestaurantMcpConfiguration.CONNECTION, client, DECLARATIONS)
                .actions(List.of(restaurants.getToolCallbacks())).forEach(tools::addTool);
        tools.register(engine);
        AgentLimits limits = AgentLimits.DEFAULTS;
        ChatClient.Builder builder = ChatClient.builder(SagaChatModel.wrap(model, limits), ObservationRegistry.NOOP,
                null, null, ToolCallingAdvisor.builder().toolCallingManager(new SagaToolCallingManager(
                        DefaultToolCallingManager.builder().build(), tools, limits)));
        engine.workflow(ConciergeWorkflow.NAME, new ConciergeWorkflow(builder, desk, restaurants));
    }

    private List<String> operations(String sagaId) {
        return jdbc.sql("SELECT operation FROM provider_call WHERE idempotency_key LIKE ?").param(sagaId + ":%")
                .query(String.class).list();
    }
}
