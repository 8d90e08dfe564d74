package dev.agentsaga.autoconfigure.ai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.ResolvableType;

import io.modelcontextprotocol.client.McpSyncClient;

import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.ai.ToolAction;
import dev.agentsaga.ai.mcp.McpSagaTools;
import dev.agentsaga.ai.mcp.McpToolDeclaration;

/**
 * The tools of the application's MCP client connections as actions: the connections are the
 * {@link McpSyncClient} beans and the clients of the {@code List<McpSyncClient>} bean that Spring AI's MCP
 * client starter makes, each named as {@link McpSagaTools#connectionName} says; their tools are declared
 * under {@code agent.saga.mcp.servers}, else by the servers' annotations. Only loaded when Spring AI's MCP
 * support is on the class path.
 */
final class McpDeclaredTools {

    private McpDeclaredTools() {
    }

    static boolean isMcpTool(ToolCallback callback) {
        return McpSagaTools.isMcpTool(callback);
    }

    /**
     * The MCP tool callbacks as actions.
     * @throws InvalidActionException when a declaration cannot work or names a connection that does not exist
     */
    static List<ToolAction> actions(ListableBeanFactory beans, SagaMcpProperties properties,
            List<ToolCallback> callbacks) {
        McpSagaTools tools = McpSagaTools.create();
        List<String> connections = new ArrayList<>();
        for (McpSyncClient client : clients(beans)) {
            String connection = McpSagaTools.connectionName(client);
            connections.add(connection);
            tools.server(connection, client, declarations(connection, properties.getServers().get(connection)));
        }
        properties.getServers().keySet().stream().filter(server -> !connections.contains(server)).findFirst()
                .ifPresent(server -> {
                    throw new InvalidActionException("agent.saga.mcp.servers." + server + " names no MCP client "
                            + "connection; the connections are " + connections + " (the sync clients' connections "
                            + "of spring.ai.mcp.client)", null);
                });
        return tools.actions(callbacks);
    }

    private static Map<String, McpToolDeclaration> declarations(String connection,
            SagaMcpProperties.@Nullable Server server) {
        Map<String, McpToolDeclaration> declarations = new LinkedHashMap<>();
        if (server == null) {
            return declarations;
        }
        server.getTools().forEach((tool, declared) -> {
            String property = "agent.saga.mcp.servers." + connection + ".tools." + tool;
            try {
                declarations.put(tool, declaration(property, declared));
            }
            catch (InvalidActionException ex) {
                throw new InvalidActionException(property + ": " + ex.getMessage(), null);
            }
        });
        return declarations;
    }

    private static McpToolDeclaration declaration(String property, SagaMcpProperties.Tool declared) {
        Reversibility reversibility = declared.getReversibility();
        SagaMcpProperties.Compensation compensation = declared.getCompensation();
        if (reversibility == null) {
            throw new InvalidActionException("set " + property + ".reversibility to READ_ONLY, COMPENSABLE or "
                    + "IRREVERSIBLE", null);
        }
        if (reversibility != Reversibility.COMPENSABLE) {
            if (compensation.getTool() != null || !compensation.getArguments().isEmpty()) {
                throw new InvalidActionException("only a COMPENSABLE tool has a compensation; this one is "
                        + reversibility, null);
            }
            return new McpToolDeclaration(reversibility, null);
        }
        String undo = compensation.getTool();
        if (undo == null) {
            throw new InvalidActionException("a COMPENSABLE tool is undone by a tool of the same server: set "
                    + property + ".compensation.tool to it, and " + property + ".compensation.arguments.<argument> "
                    + "to a JSON Pointer into the original call for each of its arguments", null);
        }
        return McpToolDeclaration.compensable(undo, compensation.getArguments());
    }

    @SuppressWarnings("unchecked")
    private static List<McpSyncClient> clients(ListableBeanFactory beans) {
        List<McpSyncClient> clients = new ArrayList<>();
        beans.getBeanProvider(McpSyncClient.class).orderedStream().forEach(client -> add(clients, client));
        ObjectProvider<Object> lists = beans.getBeanProvider(ResolvableType.forClassWithGenerics(List.class,
                McpSyncClient.class));
        lists.orderedStream().forEach(list -> ((List<McpSyncClient>) list).forEach(client -> add(clients, client)));
        return clients;
    }

    private static void add(List<McpSyncClient> clients, McpSyncClient client) {
        if (clients.stream().noneMatch(known -> known == client)) {
            clients.add(client);
        }
    }
}
