package dev.agentsaga.ai;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.method.MethodToolCallback;
import org.springframework.ai.tool.metadata.ToolMetadata;
import org.springframework.ai.tool.support.ToolDefinitions;
import org.springframework.ai.tool.support.ToolUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;

/**
 * The tools durable agents may call, each a {@link ToolAction} under the tool's name: the {@code @Tool}
 * methods of objects (beans) with their {@link SagaTool} declarations, and tool callbacks (an MCP
 * server's, say) with a reversibility given for them. {@link #register} adds them to an engine, so that
 * a compensation found in the journal after a crash finds the code that undoes it.
 */
public final class SagaTools {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, ToolAction> tools = new LinkedHashMap<>();

    private final Map<String, AgentTool> agents = new LinkedHashMap<>();

    private final List<String> undeclared = new ArrayList<>();

    private final Map<String, Map<String, Object>> requestContexts = new ConcurrentHashMap<>();

    /**
     * Adds the {@code @Tool} methods of {@code bean}, each as its {@link SagaTool} declares; a method
     * without one takes {@code defaultReversibility}, or, when that is null, is listed as undeclared.
     * @throws InvalidActionException when a declaration cannot work (an undo that is missing or does not fit)
     */
    public SagaTools addToolObject(String beanName, Object bean, @Nullable Reversibility defaultReversibility) {
        return addToolBean(beanName, ClassUtils.getUserClass(bean), () -> bean, defaultReversibility);
    }

    /**
     * Adds the {@code @Tool} methods of a bean of {@code type}, as {@link #addToolObject} does, without
     * asking for the bean: it is asked for at a tool's first call or undo, so that a bean with tools may
     * itself need the engine or the chat client.
     * @throws InvalidActionException when a declaration cannot work (an undo that is missing or does not fit)
     */
    public SagaTools addToolBean(String beanName, Class<?> type, Supplier<Object> bean,
            @Nullable Reversibility defaultReversibility) {
        for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, SagaTools::isTool)) {
            SagaTool declared = AnnotationUtils.findAnnotation(method, SagaTool.class);
            ToolDefinition definition = ToolDefinitions.from(method);
            String where = type.getSimpleName() + "." + method.getName() + " (tool '" + definition.name()
                    + "', bean '" + beanName + "')";
            Reversibility reversibility = declared != null ? declared.value() : defaultReversibility;
            if (reversibility == null) {
                undeclared.add(where);
                continue;
            }
            ToolAction.Undo undo = reversibility == Reversibility.COMPENSABLE && declared != null
                    ? undo(bean, type, method, declared.undo(), where) : null;
            add(ToolAction.of(definition, ToolMetadata.from(method), () -> MethodToolCallback.builder()
                    .toolDefinition(definition).toolMetadata(ToolMetadata.from(method)).toolMethod(method)
                    .toolObject(bean.get()).toolCallResultConverter(ToolUtils.getToolCallResultConverter(method))
                    .build(), reversibility, undo, declared != null && declared.approval()));
        }
        return this;
    }

    /** Whether the method is a Spring AI tool, the annotation on it or on a method it implements. */
    public static boolean isTool(Method method) {
        return AnnotationUtils.findAnnotation(method, Tool.class) != null;
    }

    /** Adds a tool that is not a {@code @Tool} method (an MCP server's, a function) as declared here. */
    public SagaTools addTool(ToolAction action) {
        return add(action);
    }

    /**
     * Adds a tool that is declared nowhere (no reversibility given): it is listed by
     * {@link #undeclared()}, so that start-up can fail with every such tool named.
     */
    public SagaTools addUndeclared(String description) {
        undeclared.add(description);
        return this;
    }

    /** The tools without a declaration, each described for a message that says where it is. */
    public List<String> undeclared() {
        return List.copyOf(undeclared);
    }

    /**
     * Adds a sub-agent as a tool: a call of it runs its workflow as a child saga of the calling saga (see
     * {@link AgentTool}). Give the {@code ChatClient} the same {@code AgentTool} as a tool callback, so that the
     * model sees it.
     * @throws InvalidActionException when a tool or another sub-agent has its name
     */
    public SagaTools addAgent(AgentTool agent) {
        if (tools.containsKey(agent.name()) || agents.putIfAbsent(agent.name(), agent) != null) {
            throw new InvalidActionException("Two tools are named '" + agent.name() + "'; give the sub-agent or the "
                    + "tool another name", null);
        }
        return this;
    }

    /** The sub-agent offered as a tool under that name, if any. */
    public Optional<AgentTool> findAgent(String name) {
        return Optional.ofNullable(agents.get(name));
    }

    /** The tool of that name, if it is declared. */
    public Optional<ToolAction> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** The declared tools. */
    public Collection<ToolAction> all() {
        return List.copyOf(tools.values());
    }

    /** Registers every declared tool with the engine as an action under its name. */
    public void register(AgentSaga.Builder builder) {
        tools.forEach(builder::action);
    }

    /** Runs {@code work} with {@code context} as the request's tool context of the saga's tool calls. */
    <T> T withRequestContext(String sagaId, Map<String, Object> context, Supplier<T> work) {
        requestContexts.put(sagaId, context);
        try {
            return work.get();
        }
        finally {
            requestContexts.remove(sagaId);
        }
    }

    private SagaTools add(ToolAction action) {
        ToolAction bound = action.withRequestContext(sagaId -> requestContexts.getOrDefault(sagaId, Map.of()));
        if (agents.containsKey(bound.name()) || tools.putIfAbsent(bound.name(), bound) != null) {
            throw new InvalidActionException("Two tools are named '" + bound.name() + "'; durable agents find a "
                    + "tool's undo by its name after a crash, so give one of them another name (@Tool(name = ...))",
                    null);
        }
        return this;
    }

    /** The undo method of a COMPENSABLE tool: the tool's parameters, then optionally its result. */
    private static ToolAction.Undo undo(Supplier<Object> bean, Class<?> type, Method tool, String undoName,
            String where) {
        if (undoName.isBlank()) {
            throw new InvalidActionException(where + " is COMPENSABLE but names no undo method; add "
                    + "@SagaTool(value = COMPENSABLE, undo = \"methodName\") with a method of the same bean that "
                    + "takes the tool's parameters (then, optionally, its result)", null);
        }
        Class<?>[] parameters = tool.getParameterTypes();
        Class<?>[] withResult = Arrays.copyOf(parameters, parameters.length + 1);
        withResult[parameters.length] = tool.getReturnType();
        Method undo = Optional.ofNullable(ReflectionUtils.findMethod(type, undoName, withResult))
                .or(() -> Optional.ofNullable(ReflectionUtils.findMethod(type, undoName, parameters)))
                .orElseThrow(() -> new InvalidActionException(where + " names the undo method '" + undoName
                        + "', but " + type.getSimpleName() + " has no method " + undoName + "("
                        + String.join(", ", Arrays.stream(withResult).map(Class::getSimpleName).toList())
                        + ") nor " + undoName + "(" + String.join(", ", Arrays.stream(parameters)
                                .map(Class::getSimpleName).toList()) + ")", null));
        ReflectionUtils.makeAccessible(undo);
        boolean takesResult = undo.getParameterCount() == parameters.length + 1;
        Parameter[] declared = tool.getParameters();
        Type result = tool.getGenericReturnType();
        return (arguments, resultText, ctx) -> {
            @Nullable Object[] values = new Object[undo.getParameterCount()];
            for (int i = 0; i < declared.length; i++) {
                values[i] = declared[i].getType() == ToolContext.class ? new ToolContext(Map.of(ToolAction.SAGA_ID,
                        ctx.sagaId(), ToolAction.IDEMPOTENCY_KEY, ctx.idempotencyKey()))
                        : argument(arguments.get(declared[i].getName()), declared[i].getParameterizedType());
            }
            if (takesResult) {
                values[declared.length] = JSON.readValue(resultText, JSON.getTypeFactory().constructType(result));
            }
            ReflectionUtils.invokeMethod(undo, bean.get(), values);
        };
    }

    private static @Nullable Object argument(@Nullable JsonNode value, Type type) {
        return value == null || value.isNull() ? null : JSON.treeToValue(value, JSON.getTypeFactory()
                .constructType(type));
    }

    @Override
    public String toString() {
        return "SagaTools" + tools.keySet() + (agents.isEmpty() ? "" : " agents " + agents.keySet());
    }
}
