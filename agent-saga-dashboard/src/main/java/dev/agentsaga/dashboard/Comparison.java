package dev.agentsaga.dashboard;

import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaComparison;
import dev.agentsaga.StepStatus;

/**
 * Two sagas side by side as the compare page shows them ({@link dev.agentsaga.SagaCoordinator#compare}): where
 * their journals part, the steps that differ with the tool calls their model turns asked for, and how each
 * ended, payloads masked and indented.
 *
 * @param divergedAt the first step at which the journals differ, or null when they are the same
 */
public record Comparison(Side a, Side b, @Nullable Integer divergedAt, List<Difference> differences) {

    /**
     * One saga of the pair.
     *
     * @param output its output, masked and indented
     */
    public record Side(SagaComparison.Side saga, @Nullable String output) {

        /** Whether it will not move again by itself. */
        public boolean finished() {
            return saga.status().isTerminal();
        }
    }

    /** A step at which the journals differ; a side is null where its journal ends before. */
    public record Difference(int seq, @Nullable Entry a, @Nullable Entry b) {

        /** Both sides, {@code a} first, each null where its journal ends before. */
        public List<@Nullable Entry> entries() {
            return Arrays.asList(a, b);
        }
    }

    /**
     * One side's entry at a step, payloads masked and indented.
     *
     * @param toolCalls for a model turn, the tools the model asked for, with their arguments
     */
    public record Entry(SagaComparison.Entry entry, @Nullable String input, @Nullable String output,
            @Nullable String error, List<ToolCall> toolCalls) {

        /** Whether the step failed, or its compensation did. */
        public boolean failed() {
            return entry.status() == StepStatus.FAILED || entry.status() == StepStatus.COMPENSATION_FAILED;
        }
    }

    /**
     * A tool call a model asked for.
     *
     * @param arguments the arguments it wrote, masked and indented
     */
    public record ToolCall(String name, @Nullable String arguments) {
    }

    /** Both sagas, {@code a} first. */
    public List<Side> sides() {
        return List.of(a, b);
    }

    /** Whether the two journals are the same, entry by entry. */
    public boolean same() {
        return divergedAt == null;
    }

    /** Whether neither saga will move again by itself, so that the page need not refresh. */
    public boolean finished() {
        return a.finished() && b.finished();
    }

    /** Whether saga {@code b} was forked from saga {@code a}. */
    public boolean bForkedFromA() {
        return a.saga().id().equals(b.saga().forkedFrom());
    }

    static Comparison of(SagaComparison comparison, Payloads payloads) {
        List<Difference> differences = comparison.differences().stream()
                .map(difference -> new Difference(difference.seq(), entry(difference.a(), difference.toolCallsA(),
                        payloads), entry(difference.b(), difference.toolCallsB(), payloads)))
                .toList();
        return new Comparison(side(comparison.a(), payloads), side(comparison.b(), payloads), comparison.divergedAt(),
                differences);
    }

    private static Side side(SagaComparison.Side side, Payloads payloads) {
        return new Side(side, payloads.show(side.output()));
    }

    private static @Nullable Entry entry(SagaComparison.@Nullable Entry entry, List<SagaComparison.ToolCall> calls,
            Payloads payloads) {
        if (entry == null) {
            return null;
        }
        List<ToolCall> toolCalls = calls.stream()
                .map(call -> new ToolCall(call.name(), payloads.show(call.arguments()))).toList();
        return new Entry(entry, payloads.show(entry.input()), payloads.show(entry.output()),
                payloads.show(entry.error()), toolCalls);
    }
}
