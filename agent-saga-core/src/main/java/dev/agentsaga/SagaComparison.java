package dev.agentsaga;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Two sagas of one workflow side by side ({@link SagaCoordinator#compare}): where their journals part, the
 * steps that differ, and how each ended. The typical pair is a saga and a fork of it with another model.
 *
 * @param divergedAt the first sequence at which the journals differ, or null when they are the same
 * @param differences the steps that differ, in sequence order, from the divergence on
 */
public record SagaComparison(Side a, Side b, @Nullable Integer divergedAt, List<StepDifference> differences) {

    public SagaComparison {
        Objects.requireNonNull(a, "a must not be null");
        Objects.requireNonNull(b, "b must not be null");
        differences = List.copyOf(differences);
    }

    /** Whether the two journals are the same, entry by entry. */
    public boolean same() {
        return divergedAt == null;
    }

    /**
     * One saga of the pair.
     *
     * @param forkedFrom the saga it was forked from, if it is a fork
     * @param forkStep the step it was forked at, if it is a fork
     * @param steps how many entries its journal holds
     * @param inputTokens model tokens its own model calls sent (a fork's inherited calls are its source's)
     * @param outputTokens model tokens its own model calls received
     */
    public record Side(String id, String workflowVersion, SagaStatus status, @Nullable String output,
            @Nullable String error, @Nullable String forkedFrom, @Nullable Integer forkStep, int steps,
            long inputTokens, long outputTokens) {

        /** The model tokens its own calls took, in and out. */
        public long tokens() {
            return inputTokens + outputTokens;
        }
    }

    /**
     * One sequence at which the two journals differ; a side's fields are null when its journal ends before.
     *
     * @param toolCallsA for a model call of saga a: the tools the model asked for, with their arguments
     * @param toolCallsB the same for saga b
     */
    public record StepDifference(int seq, @Nullable Entry a, @Nullable Entry b, List<ToolCall> toolCallsA,
            List<ToolCall> toolCallsB) {

        public StepDifference {
            toolCallsA = List.copyOf(toolCallsA);
            toolCallsB = List.copyOf(toolCallsB);
        }
    }

    /** A journal entry as compared: what ran, with what, and what came of it (payloads as JSON text). */
    public record Entry(String name, StepKind kind, StepStatus status, @Nullable String input,
            @Nullable String output, @Nullable String error, @Nullable Integer inputTokens,
            @Nullable Integer outputTokens) {
    }

    /** A tool call a model asked for: the tool's name and the arguments it wrote (JSON text). */
    public record ToolCall(String name, @Nullable String arguments) {
    }
}
