package dev.agentsaga.ai.mcp;

import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.modelcontextprotocol.spec.McpSchema;

import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;

/**
 * What an MCP tool does to the world: READ_ONLY (retried freely), IRREVERSIBLE (never called again after
 * an unknown outcome: in doubt after a crash) or COMPENSABLE with the {@link McpCompensation} that undoes it.
 *
 * @param reversibility what the tool does to the world
 * @param compensation for a COMPENSABLE tool, how it is undone; null otherwise
 */
public record McpToolDeclaration(Reversibility reversibility, @Nullable McpCompensation compensation) {

    /**
     * @throws InvalidActionException when a COMPENSABLE tool has no compensation, or another one has one
     */
    public McpToolDeclaration {
        Objects.requireNonNull(reversibility, "reversibility must not be null");
        if (reversibility == Reversibility.COMPENSABLE && compensation == null) {
            throw new InvalidActionException("A COMPENSABLE MCP tool needs a compensation: the tool of the same server "
                    + "that undoes it, with its arguments", null);
        }
        if (reversibility != Reversibility.COMPENSABLE && compensation != null) {
            throw new InvalidActionException("Only a COMPENSABLE MCP tool has a compensation; this one is declared "
                    + reversibility, null);
        }
    }

    /** A tool that changes nothing. */
    public static McpToolDeclaration readOnly() {
        return new McpToolDeclaration(Reversibility.READ_ONLY, null);
    }

    /** A tool whose effect cannot be undone. */
    public static McpToolDeclaration irreversible() {
        return new McpToolDeclaration(Reversibility.IRREVERSIBLE, null);
    }

    /**
     * A tool undone by {@code compensatingTool} of the same server, called with the arguments
     * {@code arguments} builds: argument name to JSON Pointer, see {@link McpCompensation}.
     */
    public static McpToolDeclaration compensable(String compensatingTool, Map<String, String> arguments) {
        return new McpToolDeclaration(Reversibility.COMPENSABLE, new McpCompensation(compensatingTool, arguments));
    }

    /**
     * What the server's annotations of the tool say: READ_ONLY when it sets {@code readOnlyHint}, else
     * IRREVERSIBLE, since nothing else tells whether calling it again after a crash is safe.
     */
    public static McpToolDeclaration fromAnnotations(McpSchema.Tool tool) {
        McpSchema.ToolAnnotations annotations = tool.annotations();
        return annotations != null && Boolean.TRUE.equals(annotations.readOnlyHint()) ? readOnly() : irreversible();
    }
}
