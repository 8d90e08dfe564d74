package dev.agentsaga.autoconfigure.ai;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says which tools lack a declaration and how to give them one. */
class UndeclaredToolsFailureAnalyzer extends AbstractFailureAnalyzer<UndeclaredToolsException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UndeclaredToolsException cause) {
        StringBuilder description = new StringBuilder("Durable agents may call tools that do not say what they do to "
                + "the world, so agent-saga cannot tell whether to retry, undo or ask a person about them after a "
                + "crash:\n");
        cause.tools().forEach(tool -> description.append("\n    - ").append(tool));
        String action = """
                Declare each tool next to its @Tool annotation:

                    @SagaTool(READ_ONLY)                                  nothing to undo: retried freely
                    @SagaTool(value = COMPENSABLE, undo = "cancelFlight") undone by a method of the same bean
                    @SagaTool(IRREVERSIBLE)                               never retried blindly; in doubt after a crash

                or give tools without a declaration a reversibility in the configuration:

                    agent.saga.tools.default-reversibility=IRREVERSIBLE   (every undeclared tool)
                    agent.saga.tools.beans.<bean>=READ_ONLY               (the @Tool methods of one bean)
                    agent.saga.tools.callbacks.<tool>=READ_ONLY           (a ToolCallback)""";
        return new FailureAnalysis(description.toString(), action, cause);
    }
}
