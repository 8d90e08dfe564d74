package dev.agentsaga.engine;

import org.jspecify.annotations.Nullable;

/**
 * Why a run stopped without a verdict of the workflow's own: the runner settles the saga by its kind.
 *
 * @param error what an operator reads, for ATTENTION and STORE_FAILED
 * @param step the sequence of the step the halt belongs to, if any
 */
record Halt(Kind kind, @Nullable String error, @Nullable Integer step) {

    enum Kind {
        /** An operator must decide: the saga goes NEEDS_ATTENTION. */
        ATTENTION,
        /** The saga is parked WAITING (already written). */
        PARKED,
        /** The engine is stopping: the saga is released for recovery. */
        RELEASED,
        /** The journal could not be written: the saga is left for recovery, never compensated for it. */
        STORE_FAILED,
        /** Another engine took the saga over: this run abandons it without writing anything. */
        LEASE_LOST
    }
}
