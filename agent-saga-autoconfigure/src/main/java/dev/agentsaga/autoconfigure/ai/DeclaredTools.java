package dev.agentsaga.autoconfigure.ai;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.ai.AgentTool;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolAction;

/**
 * The tools of the application's beans as durable agents may call them: every bean with {@code @Tool}
 * methods, every {@link ToolCallback} bean and every tool of a {@link ToolCallbackProvider} bean (Spring
 * AI's MCP client makes one), each with the reversibility its code or the configuration declares; MCP
 * tools as {@code agent.saga.mcp} declares them, else as their servers' annotations say.
 */
final class DeclaredTools {

    private static final boolean MCP_PRESENT = ClassUtils.isPresent("org.springframework.ai.mcp.SyncMcpToolCallback",
            DeclaredTools.class.getClassLoader())
            && ClassUtils.isPresent("io.modelcontextprotocol.client.McpSyncClient", DeclaredTools.class.getClassLoader());

    private DeclaredTools() {
    }

    static SagaTools scan(ListableBeanFactory beans, SagaToolsProperties properties, SagaMcpProperties mcp) {
        SagaTools tools = new SagaTools();
        for (String name : beans.getBeanNamesForType(Object.class, false, false)) {
            Class<?> type = beans.getType(name, false);
            if (type != null && hasToolMethods(ClassUtils.getUserClass(type))) {
                Reversibility beanDefault = properties.getBeans().get(name);
                // the bean is asked for at its tools' first call: it may need the engine or a chat client itself
                tools.addToolBean(name, ClassUtils.getUserClass(type), () -> beans.getBean(name),
                        beanDefault != null ? beanDefault : properties.getDefaultReversibility());
            }
        }
        List<ToolCallback> callbacks = new ArrayList<>(beans.getBeansOfType(ToolCallback.class, false, false).values());
        for (ToolCallbackProvider provider : beans.getBeansOfType(ToolCallbackProvider.class, false, false).values()) {
            callbacks.addAll(Arrays.asList(provider.getToolCallbacks()));
        }
        Map<String, ToolCallback> mcpTools = new LinkedHashMap<>();
        for (ToolCallback callback : callbacks) {
            if (callback instanceof AgentTool agent) {
                // a sub-agent: its calls are child sagas, not tool steps
                tools.addAgent(agent);
            }
            else if (MCP_PRESENT && McpDeclaredTools.isMcpTool(callback)) {
                mcpTools.putIfAbsent(callback.getToolDefinition().name(), callback);
            }
            else {
                addCallback(tools, callback, properties);
            }
        }
        if (MCP_PRESENT && (!mcpTools.isEmpty() || !mcp.getServers().isEmpty())) {
            mcpTools.keySet().stream().filter(properties.getCallbacks()::containsKey).findFirst().ifPresent(name -> {
                throw new InvalidActionException("agent.saga.tools.callbacks." + name + " declares a tool of an MCP "
                        + "server; declare it under agent.saga.mcp.servers.<connection>.tools.<tool>", null);
            });
            McpDeclaredTools.actions(beans, mcp, List.copyOf(mcpTools.values())).forEach(tools::addTool);
        }
        return tools;
    }

    private static void addCallback(SagaTools tools, ToolCallback callback, SagaToolsProperties properties) {
        String name = callback.getToolDefinition().name();
        if (tools.find(name).isPresent()) {
            // a provider of the @Tool methods of a bean scanned already
            return;
        }
        Reversibility declared = declared(properties.getCallbacks().get(name), properties.getDefaultReversibility());
        if (declared == null) {
            tools.addUndeclared("tool '" + name + "' (" + callback.getClass().getSimpleName() + "); declare it with "
                    + "agent.saga.tools.callbacks." + name + "=READ_ONLY or IRREVERSIBLE");
            return;
        }
        tools.addTool(ToolAction.of(callback, declared, false));
    }

    private static @Nullable Reversibility declared(@Nullable Reversibility own, @Nullable Reversibility fallback) {
        return own != null ? own : fallback;
    }

    private static boolean hasToolMethods(Class<?> type) {
        boolean[] found = new boolean[1];
        ReflectionUtils.doWithMethods(type, method -> found[0] = true, SagaTools::isTool);
        return found[0];
    }
}
