package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * A workflow written as plain code. After a crash or restart it is run again from the top; every
 * {@link Saga} call that was journaled returns its recorded result without running again, so the code
 * must reach the same calls in the same order (all non-determinism goes through {@link Saga}).
 *
 * @param <I> the input type, serialised to the journal as JSON
 * @param <O> the output type, serialised to the journal as JSON
 */
public interface AgentWorkflow<I extends @Nullable Object, O extends @Nullable Object> {

    /**
     * Runs the workflow. An exception that escapes makes the engine compensate the completed
     * COMPENSABLE steps in reverse order.
     */
    O run(I input, Saga saga) throws Exception;

    /** The version recorded with each saga; a saga is resumed only by an engine running the same version. */
    default String version() {
        return "1";
    }

    /** The registered name; blank (the default) lets the registry choose, as for {@link SagaAction#name()}. */
    default String name() {
        return "";
    }
}
