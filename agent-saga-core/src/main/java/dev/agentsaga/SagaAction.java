package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * One externally visible action with its semantic undo, executed as a journaled step of a saga.
 *
 * <p>The engine calls {@link #execute} at most once per successful step: once its result is journaled,
 * replay returns the recorded output. Retries of READ_ONLY and COMPENSABLE actions reuse the same
 * {@link ActionContext#idempotencyKey()}, so a downstream API that dedupes by key sees one effect.
 * Implement it as a class (not a lambda) so the engine can resolve its input and output types.
 *
 * @param <I> the input type, serialised to the journal as JSON
 * @param <O> the output type, serialised to the journal as JSON
 */
public interface SagaAction<I extends @Nullable Object, O extends @Nullable Object> {

    /**
     * Performs the action.
     * @param input the input given to {@link Saga#step}
     * @param ctx the step's identity, attempt number and idempotency key
     * @return the output, journaled before the workflow sees it
     * @throws Exception any failure; retried according to {@link #policy()} unless IRREVERSIBLE
     */
    O execute(I input, ActionContext ctx) throws Exception;

    /**
     * Semantically undoes a successful {@link #execute}. Called in reverse order of completion when a
     * later step fails or the saga is cancelled, with the same idempotency key as the execution.
     * Required for COMPENSABLE actions: registering a COMPENSABLE action that does not override this
     * method fails.
     * @throws Exception any failure; retried according to {@link #policy()}
     */
    default void compensate(I input, O output, ActionContext ctx) throws Exception {
    }

    /** How the engine may retry and undo this action; COMPENSABLE unless declared otherwise. */
    default Reversibility reversibility() {
        return Reversibility.COMPENSABLE;
    }

    /** Retries, backoff and timeout of each execution and compensation. */
    default ActionPolicy policy() {
        return ActionPolicy.defaults();
    }

    /** A description of the action, shown to a language model when the action is offered as a tool. */
    default String description() {
        return "";
    }

    /**
     * The name under which the action is registered and journaled. Blank (the default) lets the
     * registry choose: the bean name under Spring, the decapitalised simple class name otherwise.
     */
    default String name() {
        return "";
    }
}
