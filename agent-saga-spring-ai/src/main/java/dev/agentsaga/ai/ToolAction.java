package dev.agentsaga.ai;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;

import tools.jackson.databind.JsonNode;

import dev.agentsaga.ActionContext;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;

/**
 * A Spring AI tool run as a saga action: the model's arguments in, the tool's result text out, each call
 * a journaled step under the tool's name with the key {@code sagaId:seq}, undone by the declared undo
 * when the saga compensates. The tool sees the saga in its {@link ToolContext} ({@link #SAGA_ID},
 * {@link #IDEMPOTENCY_KEY}), besides what the request put there.
 */
public final class ToolAction implements SagaAction<JsonNode, String> {

    /** The {@link ToolContext} entry that holds the saga's id. */
    public static final String SAGA_ID = "agent-saga.saga-id";

    /** The {@link ToolContext} entry that holds the call's idempotency key, {@code sagaId:seq}. */
    public static final String IDEMPOTENCY_KEY = "agent-saga.idempotency-key";

    /** Undoes a call from its arguments and recorded result. */
    @FunctionalInterface
    public interface Undo {
        void undo(JsonNode arguments, String result, ActionContext ctx) throws Exception;
    }

    private final ToolDefinition definition;

    private final ToolMetadata metadata;

    private final Supplier<ToolCallback> tool;

    private final Reversibility reversibility;

    private final @Nullable Undo undo;

    private final boolean approval;

    private final Function<String, Map<String, Object>> requestContext;

    private ToolAction(ToolDefinition definition, ToolMetadata metadata, Supplier<ToolCallback> tool,
            Reversibility reversibility, @Nullable Undo undo, boolean approval,
            Function<String, Map<String, Object>> requestContext) {
        this.definition = Objects.requireNonNull(definition, "definition must not be null");
        this.metadata = Objects.requireNonNull(metadata, "metadata must not be null");
        this.tool = Objects.requireNonNull(tool, "tool must not be null");
        this.reversibility = Objects.requireNonNull(reversibility, "reversibility must not be null");
        if (reversibility == Reversibility.COMPENSABLE && undo == null) {
            throw new InvalidActionException("Tool '" + name() + "' is COMPENSABLE but has no undo; name the method "
                    + "that undoes it (@SagaTool(value = COMPENSABLE, undo = \"...\")), or declare it READ_ONLY or "
                    + "IRREVERSIBLE", null);
        }
        this.undo = undo;
        this.approval = approval;
        this.requestContext = requestContext;
    }

    /** A READ_ONLY or IRREVERSIBLE tool: nothing to undo. */
    public static ToolAction of(ToolCallback tool, Reversibility reversibility, boolean approval) {
        return of(tool.getToolDefinition(), tool.getToolMetadata(), () -> tool, reversibility, null, approval);
    }

    /** A COMPENSABLE tool with its undo. */
    public static ToolAction compensable(ToolCallback tool, Undo undo, boolean approval) {
        return of(tool.getToolDefinition(), tool.getToolMetadata(), () -> tool, Reversibility.COMPENSABLE, undo,
                approval);
    }

    /**
     * A tool known by its definition whose callback is made on its first call (from a bean that may not
     * exist yet when the tool is registered).
     */
    static ToolAction of(ToolDefinition definition, ToolMetadata metadata, Supplier<ToolCallback> tool,
            Reversibility reversibility, @Nullable Undo undo, boolean approval) {
        return new ToolAction(definition, metadata, once(tool), reversibility, undo, approval, sagaId -> Map.of());
    }

    /** This action, given the entries of the request's tool context for a saga's calls. */
    ToolAction withRequestContext(Function<String, Map<String, Object>> requestContext) {
        return new ToolAction(definition, metadata, tool, reversibility, undo, approval, requestContext);
    }

    private static Supplier<ToolCallback> once(Supplier<ToolCallback> tool) {
        Object lock = new Object();
        ToolCallback[] made = new ToolCallback[1];
        return () -> {
            synchronized (lock) {
                if (made[0] == null) {
                    made[0] = Objects.requireNonNull(tool.get(), "the tool's callback");
                }
                return made[0];
            }
        };
    }

    /** The tool's name: the action's and the journal's. */
    @Override
    public String name() {
        return definition.name();
    }

    @Override
    public String description() {
        return definition.description();
    }

    @Override
    public Reversibility reversibility() {
        return reversibility;
    }

    /** Whether each call waits for an approval signal first. */
    public boolean approval() {
        return approval;
    }

    /** Whether the tool's result goes to the caller rather than back to the model. */
    public boolean returnDirect() {
        return metadata.returnDirect();
    }

    /** The tool this runs. */
    public ToolCallback tool() {
        return tool.get();
    }

    @Override
    public String execute(JsonNode arguments, ActionContext ctx) {
        Map<String, Object> context = new HashMap<>(requestContext.apply(ctx.sagaId()));
        context.put(SAGA_ID, ctx.sagaId());
        context.put(IDEMPOTENCY_KEY, ctx.idempotencyKey());
        return tool.get().call(arguments.toString(), new ToolContext(context));
    }

    @Override
    public void compensate(JsonNode arguments, String result, ActionContext ctx) throws Exception {
        if (undo != null) {
            undo.undo(arguments, result, ctx);
        }
    }
}
