package dev.agentsaga.autoconfigure.ai;

import java.util.Arrays;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import dev.agentsaga.Reversibility;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolAction;

/**
 * The tools of the application's beans as durable agents may call them: every bean with {@code @Tool}
 * methods, every {@link ToolCallback} bean and every tool of a {@link ToolCallbackProvider} bean (Spring
 * AI's MCP client makes one), each with the reversibility its code or the configuration declares.
 */
final class DeclaredTools {

    private DeclaredTools() {
    }

    static SagaTools scan(ListableBeanFactory beans, SagaToolsProperties properties) {
        SagaTools tools = new SagaTools();
        for (String name : beans.getBeanNamesForType(Object.class, false, false)) {
            Class<?> type = beans.getType(name, false);
            if (type != null && hasToolMethods(ClassUtils.getUserClass(type))) {
                Reversibility beanDefault = properties.getBeans().get(name);
                tools.addToolObject(name, beans.getBean(name), beanDefault != null ? beanDefault
                        : properties.getDefaultReversibility());
            }
        }
        beans.getBeansOfType(ToolCallback.class, false, false).values()
                .forEach(callback -> addCallback(tools, callback, properties));
        for (Map.Entry<String, ToolCallbackProvider> provider : beans.getBeansOfType(ToolCallbackProvider.class,
                false, false).entrySet()) {
            Arrays.stream(provider.getValue().getToolCallbacks()).forEach(callback -> addCallback(tools, callback,
                    properties));
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
        ReflectionUtils.doWithMethods(type, method -> found[0] = true, method -> method.isAnnotationPresent(Tool.class));
        return found[0];
    }
}
