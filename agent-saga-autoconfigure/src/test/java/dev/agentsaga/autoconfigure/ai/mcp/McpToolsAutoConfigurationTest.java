package dev.agentsaga.autoconfigure.ai.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.mcp.client.common.autoconfigure.McpClientAutoConfiguration;
import org.springframework.ai.mcp.client.common.autoconfigure.McpToolCallbackAutoConfiguration;
import org.springframework.ai.mcp.client.httpclient.autoconfigure.StreamableHttpHttpClientTransportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.ActionContext;
import dev.agentsaga.Reversibility;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolAction;
import dev.agentsaga.autoconfigure.ai.AgentSagaSpringAiAutoConfiguration;

/**
 * The tools of a real MCP server, through Spring AI's MCP client starter (its auto-configurations, a
 * streamable-HTTP connection named {@code flights}), registered by the starter as actions: declared under
 * {@code agent.saga.mcp.servers.flights}, else by the server's annotations.
 */
class McpToolsAutoConfigurationTest {

    private static final String BOOK_FLIGHT = "agent.saga.mcp.servers.flights.tools.book_flight";

    private static FlightsMcpServer server;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StreamableHttpHttpClientTransportAutoConfiguration.class,
                    McpClientAutoConfiguration.class, McpToolCallbackAutoConfiguration.class,
                    AgentSagaSpringAiAutoConfiguration.class))
            .withPropertyValues(server.connection("flights"));

    @BeforeAll
    static void startServer() {
        server = new FlightsMcpServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void mcpToolsAreActionsAsDeclaredElseAsTheirServersAnnotationsSay() {
        contextRunner.withPropertyValues(BOOK_FLIGHT + ".reversibility=COMPENSABLE",
                BOOK_FLIGHT + ".compensation.tool=cancel_booking",
                BOOK_FLIGHT + ".compensation.arguments.bookingId=/result/bookingId",
                BOOK_FLIGHT + ".compensation.arguments.requestId=/idempotencyKey").run(context -> {
                    assertThat(context).hasNotFailed();

                    SagaTools tools = context.getBean(SagaTools.class);
                    ToolAction booking = tools.find("book_flight").orElseThrow();
                    booking.compensate(JsonMapper.builder().build().readTree("{\"flight\":\"TP941\"}"),
                            "[{\"type\":\"text\",\"text\":\"{\\\"bookingId\\\":\\\"B-1\\\"}\"}]", new Context());

                    assertThat(tools.all().stream().collect(Collectors.toMap(ToolAction::name,
                            ToolAction::reversibility))).isEqualTo(Map.of("search_flights", Reversibility.READ_ONLY,
                                    "book_flight", Reversibility.COMPENSABLE,
                                    "cancel_booking", Reversibility.IRREVERSIBLE));
                    assertThat(server.calls("cancel_booking")).last().satisfies(call -> assertThat(call.arguments())
                            .isEqualTo(Map.of("bookingId", "B-1", "requestId", "s-1:2")));
                });
    }

    @Test
    void mcpToolsWithoutDeclarationsDoNotFailTheStartUp() {
        contextRunner.run(context -> {
            assertThat(context).hasNotFailed();

            assertThat(context.getBean(SagaTools.class).all()).extracting(ToolAction::name)
                    .containsExactlyInAnyOrder("search_flights", "book_flight", "cancel_booking");
        });
    }

    @Test
    void aDeclarationForAConnectionThatDoesNotExistFailsTheStartUp() {
        contextRunner.withPropertyValues("agent.saga.mcp.servers.flight.tools.book_flight.reversibility=IRREVERSIBLE")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessage(
                        "agent.saga.mcp.servers.flight names no MCP client connection; the connections are [flights] "
                                + "(the sync clients' connections of spring.ai.mcp.client)"));
    }

    @Test
    void aDeclarationOfAToolTheServerDoesNotOfferFailsTheStartUp() {
        contextRunner.withPropertyValues("agent.saga.mcp.servers.flights.tools.bookFlight.reversibility=IRREVERSIBLE")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("'bookFlight' is not a tool of the MCP server 'flights'"));
    }

    @Test
    void aCompensableToolWithoutACompensatingToolFailsTheStartUp() {
        contextRunner.withPropertyValues(BOOK_FLIGHT + ".reversibility=COMPENSABLE")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining(BOOK_FLIGHT + ": a COMPENSABLE tool is undone by a tool of the same "
                                + "server: set " + BOOK_FLIGHT + ".compensation.tool to it"));
    }

    @Test
    void anMcpToolDeclaredAsAToolCallbackFailsTheStartUp() {
        contextRunner.withPropertyValues("agent.saga.tools.callbacks.book_flight=READ_ONLY")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("agent.saga.tools.callbacks.book_flight declares a tool of an MCP server; "
                                + "declare it under agent.saga.mcp.servers.<connection>.tools.<tool>"));
    }

    private static final class Context implements ActionContext {

        @Override
        public String sagaId() {
            return "s-1";
        }

        @Override
        public int step() {
            return 2;
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public String idempotencyKey() {
            return "s-1:2";
        }

        @Override
        public boolean compensating() {
            return true;
        }
    }
}
