package dev.agentsaga.ai.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real MCP server on a loopback port: the MCP SDK's sync server on its streamable-HTTP servlet transport,
 * in an embedded Tomcat, with the tools of a travel agency. It records every call it receives, by tool.
 * <ul>
 * <li>{@code search_flights} ({@code readOnlyHint}): lists flights;</li>
 * <li>{@code book_flight} (no annotations): books a flight, answers {@code {"bookingId":"B-n","flight":...}};</li>
 * <li>{@code cancel_booking} (no annotations): cancels a booking by {@code bookingId};</li>
 * <li>{@code send_email} (no annotations): sends an e-mail;</li>
 * <li>{@code charge_card} (no annotations): always declined, an MCP tool error.</li>
 * </ul>
 * A tool can be made to hang ({@link #hang}): its calls are recorded, then wait until the server closes.
 */
final class TravelMcpServer implements AutoCloseable {

    static final String ENDPOINT = "/mcp";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    // the client's threads outlive a test's server by design; Tomcat's warnings about them are noise here
    private static final Logger CLASS_LOADER_LOG = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");

    static {
        CLASS_LOADER_LOG.setLevel(Level.SEVERE);
    }

    private final Tomcat tomcat;

    private final McpSyncServer server;

    private final Map<String, List<McpSchema.CallToolRequest>> calls = new ConcurrentHashMap<>();

    private final Map<String, CountDownLatch> hanging = new ConcurrentHashMap<>();

    private final CountDownLatch closing = new CountDownLatch(1);

    private final AtomicInteger bookings = new AtomicInteger();

    private TravelMcpServer(boolean seatInBookingSchema) {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint(ENDPOINT).build();
        server = McpServer.sync(transport).serverInfo("travel-agency", "1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .requestTimeout(Duration.ofMinutes(1))
                .tools(tool("search_flights", "Lists the flights to a city", """
                        {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""", true,
                        request -> "[\"TP941\",\"LH1167\"]"),
                        tool("book_flight", "Books a flight by number", seatInBookingSchema ? """
                                {"type":"object","properties":{"flight":{"type":"string"},"seat":{"type":"string"}},"required":["flight"]}"""
                                : """
                                {"type":"object","properties":{"flight":{"type":"string"}},"required":["flight"]}""",
                                false, request -> "{\"bookingId\":\"B-" + bookings.incrementAndGet() + "\",\"flight\":\""
                                        + request.arguments().get("flight") + "\"}"),
                        tool("cancel_booking", "Cancels a booking", """
                                {"type":"object","properties":{"bookingId":{"type":"string"},"flight":{"type":"string"},\
                                "requestId":{"type":"string"}},"required":["bookingId"]}""", false,
                                request -> "cancelled " + request.arguments().get("bookingId")),
                        tool("send_email", "Sends an e-mail", """
                                {"type":"object","properties":{"to":{"type":"string"},"subject":{"type":"string"}},"required":["to"]}""",
                                false, request -> "sent"),
                        tool("charge_card", "Charges the customer's card", """
                                {"type":"object","properties":{"amount":{"type":"number"}},"required":["amount"]}""",
                                false, request -> null))
                .build();
        tomcat = tomcat(transport);
    }

    /** A server whose {@code book_flight} takes a flight number. */
    static TravelMcpServer start() {
        return start(false);
    }

    /** A server whose {@code book_flight} takes a flight number and, when {@code seatInBookingSchema}, a seat. */
    static TravelMcpServer start(boolean seatInBookingSchema) {
        TravelMcpServer started = new TravelMcpServer(seatInBookingSchema);
        try {
            started.tomcat.start();
        }
        catch (LifecycleException ex) {
            throw new IllegalStateException("The MCP server did not start", ex);
        }
        return started;
    }

    /** The server's base URL, on the loopback address. */
    String url() {
        return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
    }

    /** Calls of {@code tool} from now on are recorded and then wait until the server closes, answering nothing. */
    TravelMcpServer hang(String tool) {
        hanging.put(tool, new CountDownLatch(1));
        return this;
    }

    /** Waits until a call of the hanging {@code tool} arrived. */
    void awaitHangingCall(String tool, Duration timeout) throws InterruptedException {
        if (!hanging.get(tool).await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("No call of " + tool + " arrived within " + timeout);
        }
    }

    /** The calls of {@code tool} the server received, in order. */
    List<McpSchema.CallToolRequest> calls(String tool) {
        return List.copyOf(calls.getOrDefault(tool, List.of()));
    }

    @Override
    public void close() {
        closing.countDown();
        server.close();
        try {
            tomcat.stop();
            tomcat.destroy();
        }
        catch (LifecycleException ex) {
            throw new IllegalStateException("The MCP server did not stop", ex);
        }
    }

    private SyncToolSpecification tool(String name, String description, String inputSchema, boolean readOnly,
            java.util.function.Function<McpSchema.CallToolRequest, String> answer) {
        McpSchema.Tool.Builder tool = McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(JSON.readValue(inputSchema, new TypeReference<LinkedHashMap<String, Object>>() {
                }));
        if (readOnly) {
            tool.annotations(McpSchema.ToolAnnotations.builder().readOnlyHint(true).build());
        }
        return SyncToolSpecification.builder().tool(tool.build()).callHandler((exchange, request) -> {
            calls.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>()).add(request);
            CountDownLatch hangs = hanging.get(name);
            if (hangs != null) {
                hangs.countDown();
                awaitClosing();
            }
            String text = answer.apply(request);
            return text == null
                    ? McpSchema.CallToolResult.builder().addTextContent("card declined").isError(true).build()
                    : McpSchema.CallToolResult.builder().addTextContent(text).build();
        }).build();
    }

    private void awaitClosing() {
        try {
            closing.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static Tomcat tomcat(HttpServletStreamableServerTransportProvider transport) {
        Path base;
        try {
            base = Files.createTempDirectory("mcp-server");
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
        ((StandardContext) context).setClearReferencesThreadLocals(false);
        ((StandardContext) context).setClearReferencesRmiTargets(false);
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
