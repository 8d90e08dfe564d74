package dev.agentsaga.engine;

/**
 * Another engine took a saga over while this one ran it (this one was paused past its lease): the run
 * stops without writing anything more. An Error, like {@link Suspension}, so workflows do not catch it.
 */
final class LeaseLost extends Error {

    LeaseLost(String sagaId) {
        super("the lease on saga " + sagaId + " was lost to another engine", null, false, false);
    }
}
