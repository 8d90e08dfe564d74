package dev.agentsaga.engine;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What replaying one exported journal against the current code found.
 *
 * @param outcome whether the code agrees with the journal
 * @param detail what differs, or how far the replay went
 * @param step the sequence of the step that differs, if one does
 */
public record ReplayReport(String sagaId, Outcome outcome, String detail, @Nullable Integer step) {

    /** What a replay found. */
    public enum Outcome {
        /** Every step the journal holds was asked for again, in order, with the same request. */
        CLEAN,
        /** The code asks for something else than the journal holds: the first difference is in the detail. */
        DIVERGED,
        /** The saga ran another version of its workflow than the code: it is resumed only by that version. */
        OTHER_VERSION
    }

    public ReplayReport {
        Objects.requireNonNull(sagaId, "sagaId must not be null");
        Objects.requireNonNull(outcome, "outcome must not be null");
        Objects.requireNonNull(detail, "detail must not be null");
    }

    /** Whether the code can resume the saga as journaled (other versions count: they are not resumed here). */
    public boolean clean() {
        return outcome != Outcome.DIVERGED;
    }
}
