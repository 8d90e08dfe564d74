package dev.agentsaga.autoconfigure.ai;

import java.util.List;

/** Tools that durable agents may call and that do not say what they do to the world: the application does not start. */
public class UndeclaredToolsException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final List<String> tools;

    public UndeclaredToolsException(List<String> tools) {
        super(tools.size() + " tools that durable agents may call do not say what they do to the world: "
                + String.join("; ", tools));
        this.tools = List.copyOf(tools);
    }

    /** Each undeclared tool, described with where it is. */
    public List<String> tools() {
        return tools;
    }
}
