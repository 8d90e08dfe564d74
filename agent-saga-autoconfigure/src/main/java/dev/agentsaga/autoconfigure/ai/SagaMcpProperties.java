package dev.agentsaga.autoconfigure.ai;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.agentsaga.Reversibility;

/** What the tools of MCP servers do to the world, where their servers' annotations do not say it. */
@ConfigurationProperties("agent.saga.mcp")
public class SagaMcpProperties {

    /**
     * The tools of MCP servers, by MCP client connection (the connection names of spring.ai.mcp.client), then,
     * under 'tools', by the tool's name on its server: 'reversibility' (READ_ONLY, COMPENSABLE or IRREVERSIBLE)
     * and, for a COMPENSABLE tool, 'compensation.tool' (the tool of the same server that undoes it) and
     * 'compensation.arguments' (by argument name, a JSON Pointer to its value in the original call:
     * /arguments/..., /result/..., /sagaId or /idempotencyKey). A tool not listed is READ_ONLY when its server
     * annotates it readOnlyHint, else IRREVERSIBLE.
     */
    private Map<String, Server> servers = new LinkedHashMap<>();

    public Map<String, Server> getServers() {
        return servers;
    }

    public void setServers(Map<String, Server> servers) {
        this.servers = servers;
    }

    /** The declarations of one connection's tools. */
    public static class Server {

        /** The server's tools, by their names on the server. */
        private Map<String, Tool> tools = new LinkedHashMap<>();

        public Map<String, Tool> getTools() {
            return tools;
        }

        public void setTools(Map<String, Tool> tools) {
            this.tools = tools;
        }
    }

    /** What one tool does to the world. */
    public static class Tool {

        /** What the tool does to the world: READ_ONLY, COMPENSABLE or IRREVERSIBLE. */
        private @Nullable Reversibility reversibility;

        /** For a COMPENSABLE tool, how it is undone. */
        private Compensation compensation = new Compensation();

        public @Nullable Reversibility getReversibility() {
            return reversibility;
        }

        public void setReversibility(@Nullable Reversibility reversibility) {
            this.reversibility = reversibility;
        }

        public Compensation getCompensation() {
            return compensation;
        }

        public void setCompensation(Compensation compensation) {
            this.compensation = compensation;
        }
    }

    /** The compensating tool of a COMPENSABLE tool and how its arguments are built from the original call. */
    public static class Compensation {

        /** The tool of the same server that undoes the call. */
        private @Nullable String tool;

        /**
         * The compensating tool's arguments, by name, each a JSON Pointer to its value in the original call:
         * /arguments/..., /result/..., /sagaId or /idempotencyKey.
         */
        private Map<String, String> arguments = new LinkedHashMap<>();

        public @Nullable String getTool() {
            return tool;
        }

        public void setTool(@Nullable String tool) {
            this.tool = tool;
        }

        public Map<String, String> getArguments() {
            return arguments;
        }

        public void setArguments(Map<String, String> arguments) {
            this.arguments = arguments;
        }
    }
}
