package dev.agentsaga.autoconfigure.ai;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.agentsaga.Reversibility;

/** What the tools of durable agents do to the world, where their code does not say it. */
@ConfigurationProperties("agent.saga.tools")
public class SagaToolsProperties {

    /**
     * Reversibility of every tool without a declaration of its own (READ_ONLY or IRREVERSIBLE); unset, such
     * a tool fails the start-up.
     */
    private @Nullable Reversibility defaultReversibility;

    /** Reversibility (READ_ONLY or IRREVERSIBLE) of the undeclared @Tool methods of a bean, by bean name. */
    private Map<String, Reversibility> beans = new LinkedHashMap<>();

    /**
     * Reversibility (READ_ONLY or IRREVERSIBLE) of a tool that is not a @Tool method (a ToolCallback or
     * ToolCallbackProvider bean), by tool name. MCP servers' tools are declared under agent.saga.mcp.servers.
     */
    private Map<String, Reversibility> callbacks = new LinkedHashMap<>();

    public @Nullable Reversibility getDefaultReversibility() {
        return defaultReversibility;
    }

    public void setDefaultReversibility(@Nullable Reversibility defaultReversibility) {
        this.defaultReversibility = defaultReversibility;
    }

    public Map<String, Reversibility> getBeans() {
        return beans;
    }

    public void setBeans(Map<String, Reversibility> beans) {
        this.beans = beans;
    }

    public Map<String, Reversibility> getCallbacks() {
        return callbacks;
    }

    public void setCallbacks(Map<String, Reversibility> callbacks) {
        this.callbacks = callbacks;
    }
}
