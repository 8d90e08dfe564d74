package dev.agentsaga.ai.mcp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.mcp.McpToolUtils;
import org.springframework.ai.mcp.SyncMcpToolCallback;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;

import dev.agentsaga.InvalidActionException;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolAction;

/**
 * The tools of MCP servers as saga actions. Each server connection is an {@link McpSyncClient} with the
 * declarations of its tools, by their names on the server ({@link McpToolDeclaration}); a tool without one
 * is READ_ONLY when the server annotates it {@code readOnlyHint}, else IRREVERSIBLE. {@link #actions} turns
 * the tool callbacks of Spring AI's MCP client ({@link SyncMcpToolCallback}, as
 * {@code SyncMcpToolCallbackProvider} makes them) into {@link ToolAction}s under the callbacks' names, for
 * {@link SagaTools#addTool}: each call runs through its callback, and a COMPENSABLE one is undone by calling
 * its compensating tool through the same client.
 *
 * <pre>{@code
 * McpSagaTools mcp = McpSagaTools.create().server("travel", travelClient, Map.of(
 *         "book_flight", McpToolDeclaration.compensable("cancel_booking", Map.of("bookingId", "/result/bookingId")),
 *         "send_email", McpToolDeclaration.irreversible()));
 * mcp.actions(List.of(provider.getToolCallbacks())).forEach(sagaTools::addTool);
 * }</pre>
 */
public final class McpSagaTools {

    private final Map<String, Server> servers = new LinkedHashMap<>();

    private McpSagaTools() {
    }

    /** No servers yet. */
    public static McpSagaTools create() {
        return new McpSagaTools();
    }

    /**
     * Adds a server connection under its name, with the declarations of its tools by their names on the server.
     * @throws InvalidActionException when a connection of that name was added already
     */
    public McpSagaTools server(String connection, McpSyncClient client, Map<String, McpToolDeclaration> declarations) {
        Server server = new Server(connection, client, declarations);
        if (servers.putIfAbsent(connection, server) != null) {
            throw new InvalidActionException("Two MCP connections are named '" + connection + "'", null);
        }
        return this;
    }

    /** Adds a server connection, named as {@link #connectionName} says, whose tools take their annotations. */
    public McpSagaTools server(McpSyncClient client) {
        return server(connectionName(client), client, Map.of());
    }

    /**
     * The name of a client's connection: its client info's title, which Spring AI's MCP client starter sets
     * to the connection's name ({@code spring.ai.mcp.client.*.connections.<name>}), else the client info's name.
     */
    public static String connectionName(McpSyncClient client) {
        McpSchema.Implementation info = client.getClientInfo();
        return info.title() != null && !info.title().isBlank() ? info.title() : info.name();
    }

    /** Whether the callback calls a tool of an MCP server through a sync client, as {@link #actions} takes. */
    public static boolean isMcpTool(ToolCallback callback) {
        return callback instanceof SyncMcpToolCallback;
    }

    /**
     * The MCP tools among {@code callbacks} as actions, each under its callback's name. A callback is matched
     * to the server that offers its tool: the tool of its original name with the same description and input
     * schema, and, where two connections offer such a tool, the connection whose prefixed name it carries.
     * @throws InvalidActionException when a declaration names a tool the server does not offer, a compensation
     *     does not fit its compensating tool, or a callback's server cannot be told
     */
    public List<ToolAction> actions(Collection<? extends ToolCallback> callbacks) {
        servers.values().forEach(Server::check);
        List<ToolAction> actions = new ArrayList<>();
        for (ToolCallback callback : callbacks) {
            if (callback instanceof SyncMcpToolCallback mcp) {
                actions.add(action(mcp));
            }
        }
        return actions;
    }

    private ToolAction action(SyncMcpToolCallback callback) {
        Offer offer = offer(callback);
        McpCompensation compensation = offer.declaration().compensation();
        if (compensation == null) {
            return ToolAction.of(callback, offer.declaration().reversibility(), false);
        }
        McpSyncClient client = offer.server().client();
        return ToolAction.compensable(callback, (arguments, result, ctx) -> compensation.call(client, arguments, result,
                ctx), false);
    }

    /** The server and tool a callback calls. */
    private Offer offer(SyncMcpToolCallback callback) {
        String name = callback.getToolDefinition().name();
        List<Offer> offers = new ArrayList<>();
        for (Server server : servers.values()) {
            server.tools().stream().filter(tool -> offers(tool, callback)).forEach(tool -> offers.add(new Offer(server,
                    tool)));
        }
        if (offers.isEmpty()) {
            throw new InvalidActionException("The MCP tool '" + name + "' ('" + callback.getOriginalToolName()
                    + "' on its server) is offered by none of the MCP connections " + servers.keySet()
                    + " with that description and input schema; add its client to the connections", null);
        }
        List<Offer> named = offers.stream().filter(offer -> name.equals(offer.server().prefixedName(offer.tool())))
                .toList();
        List<Offer> candidates = offers.size() > 1 && named.size() == 1 ? named : offers;
        Offer first = candidates.get(0);
        if (candidates.size() > 1 && (first.declaration().compensation() != null
                || candidates.stream().map(Offer::declaration).distinct().count() > 1)) {
            throw new InvalidActionException("The MCP tool '" + name + "' is offered alike by the connections "
                    + candidates.stream().map(offer -> offer.server().connection()).toList() + ", and its name does "
                    + "not tell which one it calls; that matters, since " + (first.declaration().compensation() != null
                            ? "its compensation must call the server the tool was called on"
                            : "the connections declare it differently")
                    + ": give the connections' tools names that tell them apart (a McpToolNamePrefixGenerator that "
                    + "puts the connection's name in front)", null);
        }
        return first;
    }

    private static boolean offers(McpSchema.Tool tool, SyncMcpToolCallback callback) {
        ToolDefinition offered = callback.getToolDefinition();
        ToolDefinition listed = McpToolUtils.createToolDefinition(offered.name(), tool);
        return tool.name().equals(callback.getOriginalToolName())
                && Objects.equals(listed.description(), offered.description())
                && Objects.equals(listed.inputSchema(), offered.inputSchema());
    }

    @Override
    public String toString() {
        return "McpSagaTools" + servers.keySet();
    }

    private record Offer(Server server, McpSchema.Tool tool) {

        McpToolDeclaration declaration() {
            return server.declaration(tool);
        }
    }

    /** A connection with its declarations; its tools are listed once, when first needed. */
    private static final class Server {

        private final String connection;

        private final McpSyncClient client;

        private final Map<String, McpToolDeclaration> declarations;

        private @Nullable List<McpSchema.Tool> tools;

        Server(String connection, McpSyncClient client, Map<String, McpToolDeclaration> declarations) {
            this.connection = Objects.requireNonNull(connection, "connection must not be null");
            this.client = Objects.requireNonNull(client, "client must not be null");
            this.declarations = Map.copyOf(Objects.requireNonNull(declarations, "declarations must not be null"));
        }

        String connection() {
            return connection;
        }

        McpSyncClient client() {
            return client;
        }

        List<McpSchema.Tool> tools() {
            if (tools == null) {
                tools = List.copyOf(client.listTools().tools());
            }
            return tools;
        }

        McpToolDeclaration declaration(McpSchema.Tool tool) {
            McpToolDeclaration declared = declarations.get(tool.name());
            return declared != null ? declared : McpToolDeclaration.fromAnnotations(tool);
        }

        /** The name Spring AI's MCP client gives a tool when the connection's name is put in front of it. */
        @Nullable String prefixedName(McpSchema.Tool tool) {
            McpSchema.Implementation info = client.getClientInfo();
            return info.name() == null || info.name().isEmpty() ? null
                    : McpToolUtils.prefixedToolName(info.name(), info.title(), tool.name());
        }

        /** Every declaration names a tool of the server, and every compensation a tool whose arguments it fits. */
        void check() {
            declarations.forEach((name, declaration) -> {
                find(name, "The declaration of the MCP tool '" + name + "'");
                McpCompensation compensation = declaration.compensation();
                if (compensation != null) {
                    check(name, compensation, find(compensation.tool(), "The compensation of the MCP tool '" + name
                            + "' names '" + compensation.tool() + "', which"));
                }
            });
        }

        private McpSchema.Tool find(String name, String what) {
            return tools().stream().filter(tool -> tool.name().equals(name)).findFirst()
                    .orElseThrow(() -> new InvalidActionException(what + " is not a tool of the MCP server '"
                            + connection + "' (it offers " + tools().stream().map(McpSchema.Tool::name).toList() + ")",
                            null));
        }

        private void check(String name, McpCompensation compensation, McpSchema.Tool undo) {
            Map<String, Object> schema = undo.inputSchema() != null ? undo.inputSchema() : Map.of();
            List<String> missing = new ArrayList<>();
            if (schema.get("required") instanceof List<?> required) {
                required.stream().map(String::valueOf).filter(argument -> !compensation.arguments()
                        .containsKey(argument)).forEach(missing::add);
            }
            List<String> unknown = new ArrayList<>();
            if (schema.get("properties") instanceof Map<?, ?> properties) {
                compensation.arguments().keySet().stream().filter(argument -> !properties.containsKey(argument))
                        .forEach(unknown::add);
            }
            if (!missing.isEmpty() || !unknown.isEmpty()) {
                throw new InvalidActionException("The compensation of the MCP tool '" + name + "' of server '"
                        + connection + "' does not fit '" + undo.name() + "'"
                        + (missing.isEmpty() ? "" : "; it gives no value for the required arguments " + missing)
                        + (unknown.isEmpty() ? "" : "; the tool takes no arguments " + unknown) + " (its input "
                        + "schema: " + schema + ")", null);
            }
        }
    }
}
