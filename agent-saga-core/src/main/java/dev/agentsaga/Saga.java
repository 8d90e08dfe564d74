package dev.agentsaga;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/**
 * The durable context a workflow talks to. Every call is a journaled step with the next sequence
 * number: executed once, and answered from the journal when the workflow is replayed.
 */
public interface Saga {

    /**
     * The saga whose workflow code runs on the calling thread, if any: what an integration (a chat model,
     * a tool-calling manager) journals its calls in. Empty outside a workflow, and while a step's own work
     * runs (an action, a model call), so that what a step does inside is not journaled again.
     */
    static Optional<Saga> current() {
        return dev.agentsaga.spi.SagaThreads.current();
    }

    /** The saga's id. */
    String id();

    /**
     * Runs a registered action as a journaled step and registers its compensation.
     * @return the action's output, journaled before it is returned
     * @throws StepFailedException when the action failed after its retries (replayed identically)
     * @throws UnknownActionException when the action was not registered with the engine
     */
    <I extends @Nullable Object, O extends @Nullable Object> O step(SagaAction<I, O> action, I input);

    /**
     * Runs {@code work} once and journals its result, without compensation: for reads and
     * computations whose result must be the same on replay.
     * @return the work's result, null when the work returned null
     * @throws StepFailedException when the work threw (replayed identically)
     */
    <T> @Nullable T call(String name, Class<T> type, Callable<? extends @Nullable T> work);

    /**
     * Starts a child saga of a registered workflow as a journaled step of kind {@link StepKind#CHILD} and
     * returns at once: several children run in parallel, on any node, until they are joined. The child's id
     * is derived from this saga's id and the step, so a replayed parent finds the same child and never
     * starts one twice. When this saga is compensated later (it fails, or is cancelled), a completed child is
     * undone as one unit in the reverse order of the steps (its own compensations, newest first), and a child
     * still running is cancelled.
     * @throws UnknownWorkflowException when the workflow is not registered with the engine
     */
    <I extends @Nullable Object, O extends @Nullable Object> SagaChild<O> startChild(AgentWorkflow<I, O> workflow,
            I input);

    /**
     * Starts a child saga of the named workflow; see {@link #startChild(AgentWorkflow, Object)}.
     * @param outputType the child workflow's output type, as its output is read back
     */
    <T> SagaChild<T> startChild(String workflow, @Nullable Object input, Class<T> outputType);

    /**
     * Runs a child saga and waits for its output: {@link #startChild} then {@link SagaChild#join()}.
     * @throws StepFailedException when the child failed (after it compensated itself)
     */
    default <I extends @Nullable Object, O extends @Nullable Object> @Nullable O child(AgentWorkflow<I, O> workflow,
            I input) {
        return startChild(workflow, input).join();
    }

    /**
     * Runs a child saga of the named workflow and waits for its output.
     * @throws StepFailedException when the child failed (after it compensated itself)
     */
    default <T> @Nullable T child(String workflow, @Nullable Object input, Class<T> outputType) {
        return startChild(workflow, input, outputType).join();
    }

    /** Waits durably: the saga is unloaded and resumed when the time has come, holding no thread. */
    void sleep(Duration duration);

    /**
     * Waits durably for a signal sent with {@link SagaCoordinator#signal}, holding no thread.
     * @return the signal's payload, null when it was sent without one
     * @throws SignalTimeoutException when no signal arrived within {@code timeout}
     */
    <T> @Nullable T awaitSignal(String name, Class<T> type, Duration timeout);

    /**
     * Makes a call an integration journals with its request's fingerprint (a language model call):
     * executed once, answered from the journal on replay, with drift handled by the engine's
     * {@link DriftPolicy}.
     * @return the call's result, null when the call returned null
     * @throws StepFailedException when the call failed after its retries (replayed identically)
     */
    <T> @Nullable T journal(dev.agentsaga.spi.JournaledCall<T> call);

    /** The current time, journaled: the same instant on replay. */
    Instant now();

    /** A random UUID, journaled: the same value on replay. */
    UUID randomUuid();
}
