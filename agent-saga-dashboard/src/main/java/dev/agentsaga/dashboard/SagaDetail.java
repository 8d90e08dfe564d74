package dev.agentsaga.dashboard;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;

/**
 * One saga as its page shows it: payloads masked, the timeline, the conversation, the steps and what it
 * waits for.
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
     */
    public record StepRow(StepView step, @Nullable String input, @Nullable String output, @Nullable String error,
            boolean inDoubt) {
    }

    /** Whether the saga will not move again by itself (COMPLETED, COMPENSATED or FAILED). */
    public boolean finished() {
        return saga.status().isTerminal();
    }
}
