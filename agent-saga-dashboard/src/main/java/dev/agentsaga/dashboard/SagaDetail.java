package dev.agentsaga.dashboard;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;

/**
 * One saga as its page shows it: payloads masked, the timeline, the conversation, the steps and what it
 * waits for; its parent, the saga it was forked from and its children are the {@link SagaView}'s.
 *
 * @param errorStep the step the saga's error belongs to, if any
 * @param elapsed from its creation to its last change when it finished, else to now
 */
public record SagaDetail(SagaView saga, @Nullable String input, @Nullable String output, List<StepRow> steps,
        TimelineChart timeline, Conversation conversation, PendingDecision decision, @Nullable StepView errorStep,
        Duration elapsed) {

    /**
     * A step with its payloads masked and indented.
     *
     * @param inDoubt whether the step is an irreversible action whose outcome is unknown
     * @param child for a step that started a child saga, the child
     * @param inherited whether a fork inherited the step from the saga it was forked from (before its fork step)
     */
    public record StepRow(StepView step, @Nullable String input, @Nullable String output, @Nullable String error,
            boolean inDoubt, SagaView.@Nullable Child child, boolean inherited) {
    }

    /** Whether the saga will not move again by itself (COMPLETED, COMPENSATED or FAILED). */
    public boolean finished() {
        return saga.status().isTerminal();
    }

    /** Whether the saga has a parent, was forked, or started children: whether there is a lineage to show. */
    public boolean hasLineage() {
        return saga.parentId() != null || saga.forkedFrom() != null || !saga.children().isEmpty();
    }

    /** The child that step {@code seq} of the saga started, if it started one. */
    static SagaView.@Nullable Child childAt(SagaView saga, int seq) {
        return saga.children().stream().filter(child -> child.step() == seq).findFirst().orElse(null);
    }
}
