package dev.agentsaga.engine;

/**
 * Unwinds a workflow without a verdict: the saga parked on a timer or signal, or the engine is
 * stopping. The runner, not the workflow, decides what it means; an Error so that workflows that catch
 * {@code Exception} do not swallow it.
 */
final class Suspension extends Error {

    Suspension(String reason) {
        super(reason, null, false, false);
    }
}
