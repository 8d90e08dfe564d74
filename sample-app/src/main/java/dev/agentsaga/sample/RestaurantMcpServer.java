package dev.agentsaga.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.jspecify.annotations.Nullable;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.ai.ToolAction;

/**
 * A restaurant booking service's MCP server, run by the sample itself so that it needs nothing outside:
 * the MCP Java SDK's sync server on its streamable-HTTP servlet transport, in an embedded Tomcat on a free
 * loopback port. Its tools:
 * <ul>
 * <li>{@code search_restaurants} (annotated {@code readOnlyHint}): the restaurants with a free table;</li>
 * <li>{@code reserve_table} (no annotations): reserves a table, answers {@code {"reservationId":...}};</li>
 * <li>{@code cancel_reservation} (no annotations): cancels a reservation by its id.</li>
 * </ul>
 * A reservation is made once per idempotency key: the key comes in the call's {@code _meta}, where
 * agent-saga puts the step's key ({@code agent-saga.idempotency-key}).
 */
public final class RestaurantMcpServer implements AutoCloseable {

    public static final String ENDPOINT = "/mcp";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What {@code search_restaurants} lists. */
    public record Restaurant(String restaurant, String cuisine, String area, int priceLevel) {
    }

    private static final List<Restaurant> RESTAURANTS = List.of(
            new Restaurant("Tasca do Largo", "Portuguese", "Alfama", 2),
            new Restaurant("O Pescador da Ribeira", "seafood", "Cais do Sodré", 3),
            new Restaurant("Jardim Verde", "vegetarian", "Príncipe Real", 2));

    /** What {@code reserve_table} answers. */
    public record Reservation(String reservationId, String restaurant, String at, int guests) {
    }

    private final TravelProviders providers;

    private final McpSyncServer server;

    private final Tomcat tomcat;

    private RestaurantMcpServer(TravelProviders providers) {
        this.providers = providers;
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint(ENDPOINT).build();
        this.server = McpServer.sync(transport).serverInfo("restaurant-bookings", "1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .requestTimeout(Duration.ofSeconds(30))
                .tools(tool("search_restaurants", "Lists the restaurants in a city with a free table for a number of "
                        + "guests on a date (YYYY-MM-DD) at a time (HH:MM)", """
                        {"type":"object","properties":{"city":{"type":"string"},"date":{"type":"string"},\
                        "time":{"type":"string"},"guests":{"type":"integer"}},"required":["city","date","guests"]}""",
                        true, this::search),
                        tool("reserve_table", "Reserves a table at a restaurant for a number of guests on a date "
                                + "(YYYY-MM-DD) at a time (HH:MM), under the guest's name", """
                                {"type":"object","properties":{"restaurant":{"type":"string"},"date":{"type":"string"},\
                                "time":{"type":"string"},"guests":{"type":"integer"},"name":{"type":"string"}},\
                                "required":["restaurant","date","time","guests","name"]}""", false, this::reserve),
                        tool("cancel_reservation", "Cancels a reservation by its id", """
                                {"type":"object","properties":{"reservationId":{"type":"string"},\
                                "requestId":{"type":"string"}},"required":["reservationId"]}""", false, this::cancel))
                .build();
        this.tomcat = tomcat(transport);
    }

    /** Starts a server on a free port of the loopback address. */
    public static RestaurantMcpServer start(TravelProviders providers) {
        RestaurantMcpServer started = new RestaurantMcpServer(providers);
        try {
            started.tomcat.start();
        }
        catch (LifecycleException ex) {
            throw new IllegalStateException("The restaurants' MCP server did not start", ex);
        }
        return started;
    }

    /** The server's base URL; its MCP endpoint is {@value #ENDPOINT}. */
    public String url() {
        return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
    }

    @Override
    public void close() {
        server.close();
        try {
            tomcat.stop();
            tomcat.destroy();
        }
        catch (LifecycleException ex) {
            throw new IllegalStateException("The restaurants' MCP server did not stop", ex);
        }
    }

    private String search(CallToolRequest request) {
        providers.logCall(key(request), "restaurants.search");
        return JSON.writeValueAsString(RESTAURANTS);
    }

    private String reserve(CallToolRequest request) {
        Map<String, Object> arguments = request.arguments();
        String restaurant = String.valueOf(arguments.get("restaurant"));
        int guests = ((Number) arguments.getOrDefault("guests", 2)).intValue();
        String at = arguments.get("date") + " " + arguments.get("time");
        String id = providers.reserveTable(key(request), restaurant + " " + at, String.valueOf(arguments.get("name")),
                guests);
        return JSON.writeValueAsString(new Reservation(id, restaurant, at, guests));
    }

    private String cancel(CallToolRequest request) {
        String id = String.valueOf(request.arguments().get("reservationId"));
        Object requestId = request.arguments().get("requestId");
        boolean cancelled = providers.cancelReservation(requestId != null ? requestId.toString() : key(request), id);
        return cancelled ? "cancelled " + id : "no reservation " + id;
    }

    /** The caller's idempotency key, from the call's _meta; a call from outside a saga gets one of its own. */
    private static String key(CallToolRequest request) {
        Map<String, Object> meta = request.meta();
        @Nullable Object key = meta == null ? null : meta.get(ToolAction.IDEMPOTENCY_KEY);
        return key != null ? key.toString() : "mcp:" + java.util.UUID.randomUUID();
    }

    private static SyncToolSpecification tool(String name, String description, String inputSchema, boolean readOnly,
            Function<CallToolRequest, String> answer) {
        McpSchema.Tool.Builder tool = McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(JSON.readValue(inputSchema, new TypeReference<Map<String, Object>>() {
                }));
        if (readOnly) {
            tool.annotations(McpSchema.ToolAnnotations.builder().readOnlyHint(true).build());
        }
        return SyncToolSpecification.builder().tool(tool.build()).callHandler((exchange, request) -> {
            try {
                return McpSchema.CallToolResult.builder().addTextContent(answer.apply(request)).build();
            }
            catch (RuntimeException ex) {
                return McpSchema.CallToolResult.builder().addTextContent(String.valueOf(ex.getMessage())).isError(true)
                        .build();
            }
        }).build();
    }

    private static Tomcat tomcat(HttpServletStreamableServerTransportProvider transport) {
        Path base;
        try {
            base = Files.createTempDirectory("restaurant-mcp");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Tomcat tomcat = new Tomcat();
        tomcat.setSilent(true);
        tomcat.setBaseDir(base.toString());
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Context context = tomcat.addContext("", base.toString());
        Wrapper wrapper = context.createWrapper();
        wrapper.setName("mcp");
        wrapper.setServlet(transport);
        wrapper.setLoadOnStartup(1);
        wrapper.setAsyncSupported(true);
        context.addChild(wrapper);
        context.addServletMappingDecoded("/*", "mcp");
        return tomcat;
    }
}
