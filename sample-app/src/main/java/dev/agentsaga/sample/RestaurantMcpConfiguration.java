package dev.agentsaga.sample;

import java.time.Duration;

import org.springframework.ai.mcp.SyncMcpToolCallbackProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * The restaurants' MCP server, started by the sample on a loopback port, and the MCP client connection to it
 * named {@value #CONNECTION}, whose tools the concierge is given. With a server that runs elsewhere, Spring
 * AI's MCP client starter makes the last two beans from
 * {@code spring.ai.mcp.client.streamable-http.connections.restaurants.url}; here the server's port is known
 * only once it runs, so they are made by hand, named as the starter names them. What the server's tools do to
 * the world is declared under {@code agent.saga.mcp.servers.restaurants} (application.properties).
 */
@Configuration(proxyBeanMethods = false)
public class RestaurantMcpConfiguration {

    /** The connection's name, as {@code agent.saga.mcp.servers.<connection>} names it. */
    public static final String CONNECTION = "restaurants";

    @Bean
    RestaurantMcpServer restaurantMcpServer(TravelProviders providers) {
        return RestaurantMcpServer.start(providers);
    }

    @Bean
    McpSyncClient restaurantsMcpClient(RestaurantMcpServer server) {
        return connect(server);
    }

    /** A client of the server as the connection {@value #CONNECTION}, initialized. */
    public static McpSyncClient connect(RestaurantMcpServer server) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(server.url())
                        .endpoint(RestaurantMcpServer.ENDPOINT).build())
                // the starter sets the title to the connection's name; agent-saga finds the connection by it
                .clientInfo(McpSchema.Implementation.builder("agent-saga-sample - " + CONNECTION, "1.0")
                        .title(CONNECTION).build())
                .requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return client;
    }

    /** The server's tools as Spring AI tool callbacks, for a ChatClient's {@code defaultToolCallbacks}. */
    @Bean
    SyncMcpToolCallbackProvider restaurantTools(McpSyncClient restaurantsMcpClient) {
        return SyncMcpToolCallbackProvider.builder().mcpClients(restaurantsMcpClient).build();
    }
}
