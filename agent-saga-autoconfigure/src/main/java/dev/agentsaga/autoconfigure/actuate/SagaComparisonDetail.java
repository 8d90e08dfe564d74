package dev.agentsaga.autoconfigure.actuate;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaComparison;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;

/**
 * Two sagas side by side as the {@code sagas} endpoint answers {@code GET /actuator/sagas/{a}/compare/{b}}:
 * a {@link SagaComparison} with its payloads (outputs, step inputs, outputs and errors, tool call arguments)
 * as JSON values, the fields the endpoint masks masked.
 *
 * @param divergedAt the first step at which the journals differ, or null when they are the same
 * @param same whether the journals are the same, entry by entry
 * @param differences the steps that differ, in sequence order, from the divergence on
 */
public record SagaComparisonDetail(Side a, Side b, @Nullable Integer divergedAt, boolean same,
        List<Difference> differences) {

    /** The comparison with its payloads masked by the redactor. */
    static SagaComparisonDetail of(SagaComparison comparison, PayloadRedactor redactor) {
        return new SagaComparisonDetail(side(comparison.a(), redactor), side(comparison.b(), redactor),
                comparison.divergedAt(), comparison.same(), comparison.differences().stream()
                        .map(difference -> new Difference(difference.seq(), entry(difference.a(), redactor),
                                entry(difference.b(), redactor), toolCalls(difference.toolCallsA(), redactor),
                                toolCalls(difference.toolCallsB(), redactor)))
                        .toList());
    }

    /**
     * One saga of the pair: how it ended and what it spent.
     *
     * @param forkedFrom the saga it was forked from, if it is a fork
     * @param forkStep the first step it ran itself, if it is a fork
     * @param steps how many entries its journal holds
     * @param inputTokens model tokens its own calls sent (a fork's inherited calls are its source's)
     * @param outputTokens model tokens its own calls received
     * @param tokens both together
     */
    public record Side(String id, String workflowVersion, SagaStatus status, @Nullable Object output,
            @Nullable String error, @Nullable String forkedFrom, @Nullable Integer forkStep, int steps,
            long inputTokens, long outputTokens, long tokens) {
    }

    /**
     * A step at which the journals differ; a side is null where its journal ends before.
     *
     * @param toolCallsA for a model call of saga a, the tools the model asked for, with their arguments
     * @param toolCallsB the same for saga b
     */
    public record Difference(int seq, @Nullable Entry a, @Nullable Entry b, List<ToolCall> toolCallsA,
            List<ToolCall> toolCallsB) {
    }

    /** A journal entry as compared. */
    public record Entry(String name, StepKind kind, StepStatus status, @Nullable Object input, @Nullable Object output,
            @Nullable Object error, @Nullable Integer inputTokens, @Nullable Integer outputTokens) {
    }

    /** A tool call a model asked for: the tool and the arguments it wrote. */
    public record ToolCall(String name, @Nullable Object arguments) {
    }

    private static Side side(SagaComparison.Side side, PayloadRedactor redactor) {
        return new Side(side.id(), side.workflowVersion(), side.status(), redactor.redact(side.output()), side.error(),
                side.forkedFrom(), side.forkStep(), side.steps(), side.inputTokens(), side.outputTokens(),
                side.tokens());
    }

    private static @Nullable Entry entry(SagaComparison.@Nullable Entry entry, PayloadRedactor redactor) {
        return entry == null ? null : new Entry(entry.name(), entry.kind(), entry.status(),
                redactor.redact(entry.input()), redactor.redact(entry.output()), redactor.redact(entry.error()),
                entry.inputTokens(), entry.outputTokens());
    }

    private static List<ToolCall> toolCalls(List<SagaComparison.ToolCall> calls, PayloadRedactor redactor) {
        return calls.stream().map(call -> new ToolCall(call.name(), redactor.redact(call.arguments()))).toList();
    }
}
