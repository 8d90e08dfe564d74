package dev.agentsaga.autoconfigure.ai.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real MCP server on a loopback port (the MCP SDK's streamable-HTTP servlet transport in an embedded Tomcat)
 * with three tools: {@code search_flights} ({@code readOnlyHint}), {@code book_flight} and
 * {@code cancel_booking} (no annotations). It records the calls it receives.
 */
final class FlightsMcpServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Tomcat tomcat = new Tomcat();

    private final McpSyncServer server;

    private final Map<String, List<McpSchema.CallToolRequest>> calls = new ConcurrentHashMap<>();

    FlightsMcpServer() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        server = McpServer.sync(transport).serverInfo("flights", "1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(tool("search_flights", true, """
                        {"type":"object","properties":{"city":{"type":"string"}}}"""),
                        tool("book_flight", false, """
                        {"type":"object","properties":{"flight":{"type":"string"}},"required":["flight"]}"""),
                        tool("cancel_booking", false, """
                        {"type":"object","properties":{"bookingId":{"type":"string"},"requestId":{"type":"string"}},\
                        "required":["bookingId"]}"""))
                .build();
        try {
            Path base = Files.createTempDirectory("mcp-server");
            tomcat.setSilent(true);
            tomcat.setBaseDir(base.toString());
            tomcat.setPort(0);
            tomcat.getConnector().setProperty("address", "127.0.0.1");
            Context context = tomcat.addContext("", base.toString());
            Wrapper wrapper = context.createWrapper();
            wrapper.setName("mcp");
            wrapper.setServlet(transport);
            wrapper.setAsyncSupported(true);
            context.addChild(wrapper);
            context.addServletMappingDecoded("/*", "mcp");
            tomcat.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (LifecycleException ex) {
            throw new IllegalStateException("The MCP server did not start", ex);
        }
    }

    /** The property that makes the server the MCP client's connection {@code name}. */
    String connection(String name) {
        return "spring.ai.mcp.client.streamable-http.connections." + name + ".url=http://127.0.0.1:"
                + tomcat.getConnector().getLocalPort();
    }

    /** The calls of {@code tool} the server received. */
    List<McpSchema.CallToolRequest> calls(String tool) {
        return List.copyOf(calls.getOrDefault(tool, List.of()));
    }

    @Override
    public void close() throws LifecycleException {
        server.close();
        tomcat.stop();
        tomcat.destroy();
    }

    private SyncToolSpecification tool(String name, boolean readOnly, String inputSchema) {
        McpSchema.Tool.Builder tool = McpSchema.Tool.builder().name(name).description(name.replace('_', ' '))
                .inputSchema(JSON.readValue(inputSchema, new TypeReference<LinkedHashMap<String, Object>>() {
                }));
        if (readOnly) {
            tool.annotations(McpSchema.ToolAnnotations.builder().readOnlyHint(true).build());
        }
        return SyncToolSpecification.builder().tool(tool.build()).callHandler((exchange, request) -> {
            calls.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>()).add(request);
            return McpSchema.CallToolResult.builder().addTextContent("{\"bookingId\":\"B-1\"}").build();
        }).build();
    }
}
