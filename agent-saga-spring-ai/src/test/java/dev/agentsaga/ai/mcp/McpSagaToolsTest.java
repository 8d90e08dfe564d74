package dev.agentsaga.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.McpToolNamePrefixGenerator;
import org.springframework.ai.mcp.McpToolUtils;
import org.springframework.ai.mcp.SyncMcpToolCallbackProvider;
import org.springframework.ai.tool.ToolCallback;

import io.modelcontextprotocol.client.McpSyncClient;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.ActionContext;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.ai.ToolAction;

/**
 * The tools of real MCP servers as actions: the reversibility each gets, the server each callback is matched
 * to, and the declarations that cannot work, which are rejected before any saga runs.
 */
class McpSagaToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String BOOKING = "[{\"type\":\"text\",\"text\":\"{\\\"bookingId\\\":\\\"B-7\\\",\\\"flight\\\":\\\"TP941\\\"}\"}]";

    private final List<AutoCloseable> opened = new ArrayList<>();

    private final TravelMcpServer server = open(TravelMcpServer.start());

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void toolsWithoutADeclarationAreReadOnlyWhenTheServerSaysSoElseIrreversible() {
        McpSyncClient client = connect(server, "travel");

        Map<String, Reversibility> tools = reversibilities(McpSagaTools.create().server(client).actions(callbacks(client)));

        assertThat(tools).isEqualTo(Map.of("search_flights", Reversibility.READ_ONLY,
                "book_flight", Reversibility.IRREVERSIBLE, "cancel_booking", Reversibility.IRREVERSIBLE,
                "send_email", Reversibility.IRREVERSIBLE, "charge_card", Reversibility.IRREVERSIBLE));
    }

    @Test
    void aDeclarationWinsOverTheAnnotations() {
        McpSyncClient client = connect(server, "travel");

        Map<String, Reversibility> tools = reversibilities(McpSagaTools.create().server("travel", client, Map.of(
                "search_flights", McpToolDeclaration.irreversible(), "send_email", McpToolDeclaration.readOnly(),
                "book_flight", McpTravelAgent.DECLARATIONS.get("book_flight"))).actions(callbacks(client)));

        assertThat(tools).containsEntry("search_flights", Reversibility.IRREVERSIBLE)
                .containsEntry("send_email", Reversibility.READ_ONLY)
                .containsEntry("book_flight", Reversibility.COMPENSABLE);
    }

    @Test
    void theCallbacksOfTwoConnectionsOfferingTheSameToolAreToldApartByTheirPrefixedNames() throws Exception {
        TravelMcpServer backup = open(TravelMcpServer.start());
        McpSyncClient travel = connect(server, "travel");
        McpSyncClient second = connect(backup, "travel-backup");
        McpToolNamePrefixGenerator byConnection = (connection, tool) -> McpToolUtils.prefixedToolName(
                connection.clientInfo().name(), connection.clientInfo().title(), tool.name());
        ToolCallback[] callbacks = SyncMcpToolCallbackProvider.builder().mcpClients(travel, second)
                .toolNamePrefixGenerator(byConnection).build().getToolCallbacks();

        List<ToolAction> actions = McpSagaTools.create().server("travel", travel, McpTravelAgent.DECLARATIONS)
                .server("travel-backup", second, McpTravelAgent.DECLARATIONS).actions(List.of(callbacks));
        ToolAction backupBooking = actions.stream().filter(action -> action.name().equals(McpToolUtils.prefixedToolName(
                second.getClientInfo().name(), "travel-backup", "book_flight"))).findFirst().orElseThrow();
        backupBooking.compensate(JSON.readTree("{\"flight\":\"TP941\"}"), BOOKING, new Context("s-1", 2, true));

        assertThat(actions).hasSize(10);
        assertThat(backup.calls("cancel_booking")).as("the backup's booking is cancelled on the backup").hasSize(1);
        assertThat(backup.calls("cancel_booking").get(0).arguments()).isEqualTo(Map.of("bookingId", "B-7",
                "flight", "TP941", "requestId", "s-1:2"));
        assertThat(server.calls("cancel_booking")).isEmpty();
    }

    @Test
    void theCallbacksOfTwoConnectionsOfferingToolsOfTheSameNameAreToldApartByTheirInputSchemas() {
        TravelMcpServer withSeats = open(TravelMcpServer.start(true));
        McpSyncClient travel = connect(server, "travel");
        McpSyncClient seats = connect(withSeats, "seats");
        List<ToolCallback> callbacks = List.of(SyncMcpToolCallbackProvider.builder().mcpClients(travel, seats).build()
                .getToolCallbacks());

        Map<String, Reversibility> tools = reversibilities(McpSagaTools.create()
                .server("travel", travel, McpTravelAgent.DECLARATIONS)
                .server("seats", seats, Map.of("book_flight", McpToolDeclaration.readOnly())).actions(callbacks));

        String seatBooking = callbacks.stream().filter(callback -> callback.getToolDefinition().inputSchema()
                .contains("seat")).findFirst().orElseThrow().getToolDefinition().name();
        assertThat(seatBooking).as("Spring AI's default prefix generator's name for the second").isNotEqualTo(
                "book_flight");
        assertThat(tools).containsEntry("book_flight", Reversibility.COMPENSABLE)
                .containsEntry(seatBooking, Reversibility.READ_ONLY);
    }

    @Test
    void callbacksThatCouldCallEitherOfTwoConnectionsAreRejectedWhenTheyAreUndoneOnTheirServer() {
        TravelMcpServer backup = open(TravelMcpServer.start());
        McpSyncClient travel = connect(server, "travel");
        McpSyncClient second = connect(backup, "travel-backup");
        ToolCallback[] callbacks = SyncMcpToolCallbackProvider.builder().mcpClients(travel, second).build()
                .getToolCallbacks();

        McpSagaTools tools = McpSagaTools.create().server("travel", travel, McpTravelAgent.DECLARATIONS)
                .server("travel-backup", second, McpTravelAgent.DECLARATIONS);

        assertThatThrownBy(() -> tools.actions(List.of(callbacks))).isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("'book_flight' is offered alike by the connections [travel, travel-backup], "
                        + "and its name does not tell which one it calls; that matters, since its compensation must "
                        + "call the server the tool was called on");
    }

    @Test
    void aDeclarationOfAToolTheServerDoesNotOfferIsRejected() {
        McpSyncClient client = connect(server, "travel");

        McpSagaTools tools = McpSagaTools.create().server("travel", client, Map.of("bookFlight",
                McpToolDeclaration.irreversible()));

        assertThatThrownBy(() -> tools.actions(callbacks(client))).isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("'bookFlight' is not a tool of the MCP server 'travel'")
                .hasMessageContaining("book_flight");
    }

    @Test
    void aCompensationByAToolTheServerDoesNotOfferIsRejected() {
        McpSyncClient client = connect(server, "travel");

        McpSagaTools tools = McpSagaTools.create().server("travel", client, Map.of("book_flight",
                McpToolDeclaration.compensable("refund_booking", Map.of("bookingId", "/result/bookingId"))));

        assertThatThrownBy(() -> tools.actions(callbacks(client))).isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("names 'refund_booking', which is not a tool of the MCP server 'travel'");
    }

    @Test
    void aCompensationWhoseArgumentsDoNotFitItsToolIsRejected() {
        McpSyncClient client = connect(server, "travel");

        McpSagaTools tools = McpSagaTools.create().server("travel", client, Map.of("book_flight",
                McpToolDeclaration.compensable("cancel_booking", Map.of("booking", "/result/bookingId"))));

        assertThatThrownBy(() -> tools.actions(callbacks(client))).isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("no value for the required arguments [bookingId]")
                .hasMessageContaining("takes no arguments [booking]");
    }

    @Test
    void aCallbackOfAClientThatWasNotGivenIsRejected() {
        McpSyncClient client = connect(server, "travel");

        assertThatThrownBy(() -> McpSagaTools.create().actions(callbacks(client)))
                .isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("'search_flights' ('search_flights' on its server) is offered by none of the MCP "
                        + "connections []");
    }

    @Test
    void compensationArgumentsPointIntoTheOriginalCallAndNowhereElse() {
        assertThatThrownBy(() -> new McpCompensation("cancel_booking", Map.of("bookingId", "/output/bookingId")))
                .isInstanceOf(InvalidActionException.class)
                .hasMessageContaining("must point into /arguments, /result, /sagaId or /idempotencyKey");
        assertThatThrownBy(() -> new McpCompensation("cancel_booking", Map.of("bookingId", "result/bookingId")))
                .isInstanceOf(InvalidActionException.class).hasMessageContaining("is not a JSON Pointer");
    }

    @Test
    void compensationArgumentsAreTakenFromTheArgumentsTheResultTextAndTheStep() {
        McpCompensation compensation = new McpCompensation("cancel_booking", Map.of("bookingId", "/result/bookingId",
                "flight", "/arguments/flight", "requestId", "/idempotencyKey", "saga", "/sagaId"));
        Context ctx = new Context("s-1", 4, true);

        Map<String, Object> arguments = compensation.argumentsFor(JSON.readTree("{\"flight\":\"TP941\"}"), BOOKING, ctx);

        assertThat(arguments).isEqualTo(Map.of("bookingId", "B-7", "flight", "TP941", "requestId", "s-1:4",
                "saga", "s-1"));
        assertThat(McpCompensation.result("[{\"type\":\"text\",\"text\":\"booked B-7\"}]").asString())
                .as("a text that is not JSON is the result as text").isEqualTo("booked B-7");
        assertThatThrownBy(() -> compensation.argumentsFor(JSON.readTree("{}"), BOOKING, ctx))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'flight' of the compensating tool 'cancel_booking' is /arguments/flight, which "
                        + "the call of saga s-1 does not have");
    }

    private static Map<String, Reversibility> reversibilities(List<ToolAction> actions) {
        return actions.stream().collect(Collectors.toMap(ToolAction::name, ToolAction::reversibility));
    }

    private static List<ToolCallback> callbacks(McpSyncClient client) {
        return List.of(SyncMcpToolCallbackProvider.builder().mcpClients(client).build().getToolCallbacks());
    }

    private McpSyncClient connect(TravelMcpServer to, String connection) {
        return open(McpTravelAgent.connect(to.url(), connection));
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.add(resource);
        return resource;
    }

    private record Context(String sagaId, int step, boolean compensating) implements ActionContext {

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public String idempotencyKey() {
            return sagaId + ":" + step;
        }
    }
}
