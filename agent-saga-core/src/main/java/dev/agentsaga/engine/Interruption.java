package dev.agentsaga.engine;

/** What a run asks between its steps: whether it should stop at the next new step. */
interface Interruption {

    /** Whether {@code cancel} was called on the saga: it compensates at its next new step. */
    boolean cancelRequested();

    /** Whether the engine is stopping: the saga is released at its next new step. */
    boolean stopping();
}
