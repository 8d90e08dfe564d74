package dev.agentsaga.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.spi.StepRecord;

/**
 * What erasing a finished saga leaves of it ({@link dev.agentsaga.SagaCoordinator#erase}): every text that
 * came from the application, its users or its model (inputs, outputs, signal payloads, error messages,
 * operators' notes) becomes {@link SagaView#ERASED}; the timeline stays, and so do the texts the engine
 * writes itself, which hold nothing of a payload: a step error's type, the notes on why a step was not
 * compensated, the reason of an operator's cancel, the instant a wait was to end, a model call's
 * fingerprint (hashes of its request's parts).
 */
final class Erasure {

    private static final Set<String> ENGINE_NOTES = Set.of(Compensator.READ_ONLY_NOTE,
            Compensator.IRREVERSIBLE_NOTE, Compensator.FAILED_NOTE, Compensator.IN_DOUBT_NOTE);

    private final EngineServices services;

    Erasure(EngineServices services) {
        this.services = services;
    }

    /** The saga's error once erased. */
    static @Nullable String error(@Nullable String error) {
        return SagaRunner.CANCELLED.equals(error) ? error : erased(error);
    }

    /** The journal entries once erased, in the same order. */
    List<StepRecord> steps(List<StepRecord> journal) {
        return journal.stream().map(this::step).toList();
    }

    private StepRecord step(StepRecord step) {
        boolean wait = step.kind() == StepKind.SLEEP || step.kind() == StepKind.SIGNAL;
        return new StepRecord(step.sagaId(), step.seq(), step.name(), step.kind(), step.reversibility(),
                step.status(), wait ? step.input() : erased(step.input()), erased(step.output()),
                stepError(step.error()), step.attempts(), step.startedAt(), step.finishedAt(),
                step.compensationAttempts(), erased(step.compensationError()), step.compensatedAt(),
                step.resolution(), note(step.note()),
                step.fingerprint(), step.inputTokens(), step.outputTokens());
    }

    /** A step's error, {@code {"type": ..., "message": ...}}, with its type kept and its message erased. */
    private @Nullable String stepError(@Nullable String error) {
        if (error == null) {
            return null;
        }
        Map<String, String> erased = new LinkedHashMap<>();
        erased.put("type", services.readError(error)[0]);
        erased.put("message", services.codec().decode(SagaView.ERASED, String.class));
        return services.codec().encode(erased);
    }

    private static @Nullable String note(@Nullable String note) {
        return note != null && ENGINE_NOTES.contains(note) ? note : erased(note);
    }

    private static @Nullable String erased(@Nullable String text) {
        return text == null ? null : SagaView.ERASED;
    }
}
