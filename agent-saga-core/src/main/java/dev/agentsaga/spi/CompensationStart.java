package dev.agentsaga.spi;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The first commit of a compensation.
 *
 * @param error why the saga is compensated
 * @param errorStep the step that failed, if any
 * @param notes per step sequence: why that completed step will not be compensated
 * @param firstSeq the newest compensable step, marked COMPENSATING; null when nothing is left to
 *        compensate, in which case the saga ends COMPENSATED when {@code somethingCompensated}, else FAILED
 * @param somethingCompensated whether an earlier run already compensated a step
 */
public record CompensationStart(String sagaId, @Nullable String error, @Nullable Integer errorStep,
        Map<Integer, String> notes, @Nullable Integer firstSeq, boolean somethingCompensated, Instant now) {

    public CompensationStart {
        notes = Map.copyOf(notes);
    }
}
