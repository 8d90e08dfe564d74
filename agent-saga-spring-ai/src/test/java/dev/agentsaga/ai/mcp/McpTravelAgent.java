package dev.agentsaga.ai.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.mcp.SyncMcpToolCallbackProvider;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.tool.ToolCallback;

import io.micrometer.observation.ObservationRegistry;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaChatModel;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;

/**
 * The agent of the MCP tests, the same in a child JVM and in the test JVM: a {@code ChatClient} offered the
 * travel server's tools through Spring AI's MCP client, made durable. {@code book_flight} is declared
 * COMPENSABLE, undone by {@code cancel_booking}; the other tools take their annotations.
 */
final class McpTravelAgent implements AgentWorkflow<String, String> {

    static final String WORKFLOW = "mcpTravel";

    /** The connection's name, as Spring AI's MCP client starter would name it. */
    static final String CONNECTION = "travel";

    static final Map<String, McpToolDeclaration> DECLARATIONS = Map.of("book_flight", McpToolDeclaration.compensable(
            "cancel_booking", Map.of("bookingId", "/result/bookingId", "flight", "/arguments/flight",
                    "requestId", "/idempotencyKey")));

    private final ChatClient chat;

    private McpTravelAgent(ChatClient chat) {
        this.chat = chat;
    }

    @Override
    public String run(String goal, Saga saga) {
        return chat.prompt().user(goal).call().content();
    }

    /** A client of the server as the connection {@value #CONNECTION}, initialized. */
    static McpSyncClient connect(String serverUrl) {
        return connect(serverUrl, CONNECTION);
    }

    /** A client of the server as the connection of that name, initialized, named as the starter names its clients. */
    static McpSyncClient connect(String serverUrl, String connection) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(serverUrl)
                        .endpoint(TravelMcpServer.ENDPOINT).build())
                .clientInfo(McpSchema.Implementation.builder("agent-saga-tests - " + connection, "1.0")
                        .title(connection).build())
                .requestTimeout(Duration.ofMinutes(1)).build();
        client.initialize();
        return client;
    }

    /** Registers the server's tools as actions, declared as above, and the agent on a model. */
    static AgentSaga.Builder configure(AgentSaga.Builder engine, McpSyncClient client, ChatModel model) {
        return configure(engine, client, model, DECLARATIONS);
    }

    /** Registers the server's tools as actions with these declarations, and the agent on a model. */
    static AgentSaga.Builder configure(AgentSaga.Builder engine, McpSyncClient client, ChatModel model,
            Map<String, McpToolDeclaration> declarations) {
        ToolCallback[] callbacks = SyncMcpToolCallbackProvider.builder().mcpClients(client).build().getToolCallbacks();
        SagaTools tools = new SagaTools();
        McpSagaTools.create().server(CONNECTION, client, declarations).actions(List.of(callbacks))
                .forEach(tools::addTool);
        tools.register(engine);
        AgentLimits limits = AgentLimits.DEFAULTS;
        ChatClient chat = ChatClient.builder(SagaChatModel.wrap(model, limits), ObservationRegistry.NOOP, null, null,
                ToolCallingAdvisor.builder().toolCallingManager(new SagaToolCallingManager(
                        DefaultToolCallingManager.builder().build(), tools, limits)))
                .defaultSystem("You are a travel agent.").defaultToolCallbacks(callbacks).build();
        return engine.workflow(WORKFLOW, new McpTravelAgent(chat));
    }
}
