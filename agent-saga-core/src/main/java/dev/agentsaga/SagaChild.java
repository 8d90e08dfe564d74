package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * A child saga a workflow started with {@link Saga#startChild}: a saga of its own, run by any node, whose
 * id is derived from its parent's id and the step that started it. {@link #join()} waits for it durably.
 *
 * @param <T> the child workflow's output type
 */
public interface SagaChild<T> {

    /** The child saga's id: {@code parentId + ":" + step}, or a digest of the parent's id when that is too long. */
    String id();

    /** The parent's step that started the child. */
    int step();

    /**
     * Waits for the child to finish, holding no thread: the parent is unloaded and resumed when the child
     * rests. Answered from the parent's journal on replay.
     * @return the child's output
     * @throws StepFailedException when the child failed; it compensated its own steps before this is thrown,
     *     and the parent's compensation skips it
     */
    @Nullable T join();
}
