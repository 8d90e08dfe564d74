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
 * @param firstSeq the newest compensable step, marked COMPENSATING; null when nothing is to be
 *        compensated, in which case the saga ends FAILED
 */
public record CompensationStart(String sagaId, String error, @Nullable Integer errorStep, Map<Integer, String> notes,
        @Nullable Integer firstSeq, Instant now) {

    public CompensationStart {
        notes = Map.copyOf(notes);
    }
}
