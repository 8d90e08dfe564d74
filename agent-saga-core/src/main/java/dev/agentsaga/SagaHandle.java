package dev.agentsaga;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** A started (or found) saga. */
public interface SagaHandle {

    /** The saga's id. */
    String id();

    /** False when {@link SagaCoordinator#start(String, Object, String)} found an existing saga with this id. */
    boolean created();

    /**
     * Waits until the saga rests: COMPLETED, COMPENSATED, FAILED, COMPENSATION_FAILED, NEEDS_ATTENTION
     * or WAITING, and returns its view.
     * @throws SagaTimeoutException when it does not rest within {@code timeout}
     */
    SagaView await(Duration timeout);

    /**
     * Waits for the saga to complete and returns its output decoded as {@code type}.
     * @return the workflow's output, null when the workflow returned null
     * @throws SagaNotCompletedException when it rests in any other status
     * @throws InvalidSagaStateException when it completed and was erased ({@link SagaCoordinator#erase})
     * @throws SagaTimeoutException when it does not rest within {@code timeout}
     */
    <T> @Nullable T awaitOutput(Class<T> type, Duration timeout);
}
