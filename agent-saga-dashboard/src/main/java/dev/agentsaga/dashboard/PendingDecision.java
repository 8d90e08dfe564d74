package dev.agentsaga.dashboard;

import java.util.List;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;

/**
 * What a saga waits for from a person, and so which actions fit it.
 *
 * @param kind what is to be decided
 * @param step the step concerned: the approval signal, the in-doubt step, or the step of the error
 * @param tool the tool that waits for approval
 * @param arguments the arguments of the tool call that waits for approval, masked
 * @param cancellable whether the saga may still be cancelled (PENDING, RUNNING, WAITING, NEEDS_ATTENTION)
 */
public record PendingDecision(Kind kind, @Nullable StepView step, @Nullable String tool, @Nullable String arguments,
        boolean cancellable) {

    /** What is to be decided. */
    public enum Kind {
        /** Nothing: the saga runs, waits for something else, or has finished. */
        NONE,
        /** A tool call waits for approval: approve or reject it. */
        APPROVAL,
        /** An irreversible step's outcome is unknown: say whether it happened. */
        IN_DOUBT,
        /** NEEDS_ATTENTION without an in-doubt step (drift, non-determinism, a payload over the limit): retry after a fix. */
        ATTENTION,
        /** A compensation kept failing: fix the cause and retry. */
        COMPENSATION_FAILED
    }

    /** Whether a person is needed (anything but {@link Kind#NONE}). */
    public boolean needed() {
        return kind != Kind.NONE;
    }

    /** Whether {@code retry} fits the saga. */
    public boolean retryable() {
        return kind == Kind.ATTENTION || kind == Kind.COMPENSATION_FAILED;
    }

    static PendingDecision of(SagaView saga, Payloads payloads) {
        boolean cancellable = switch (saga.status()) {
            case PENDING, RUNNING, WAITING, NEEDS_ATTENTION -> true;
            default -> false;
        };
        List<StepView> steps = saga.steps();
        StepView last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
        if (saga.status() == SagaStatus.WAITING && last != null && last.kind() == StepKind.SIGNAL
                && last.status() == StepStatus.STARTED && last.name().startsWith(Conversation.APPROVAL_PREFIX)) {
            String tool = last.name().substring(Conversation.APPROVAL_PREFIX.length());
            return new PendingDecision(Kind.APPROVAL, last, tool, arguments(steps, tool, payloads), cancellable);
        }
        if (saga.status() == SagaStatus.NEEDS_ATTENTION) {
            StepView inDoubt = steps.stream().filter(step -> TimelineChart.isInDoubt(saga, step)).findFirst()
                    .orElse(null);
            return inDoubt != null ? new PendingDecision(Kind.IN_DOUBT, inDoubt, null, null, cancellable)
                    : new PendingDecision(Kind.ATTENTION, errorStep(saga), null, null, cancellable);
        }
        if (saga.status() == SagaStatus.COMPENSATION_FAILED) {
            StepView failed = steps.stream().filter(step -> step.status() == StepStatus.COMPENSATION_FAILED)
                    .findFirst().orElse(errorStep(saga));
            return new PendingDecision(Kind.COMPENSATION_FAILED, failed, null, null, cancellable);
        }
        return new PendingDecision(Kind.NONE, null, null, null, cancellable);
    }

    /** The arguments of the latest call of the tool that a model turn asked for. */
    private static @Nullable String arguments(List<StepView> steps, String tool, Payloads payloads) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            StepView step = steps.get(i);
            JsonNode response = step.kind() == StepKind.LLM ? Payloads.tree(step.output()) : null;
            if (response == null) {
                continue;
            }
            for (JsonNode call : response.path("toolCalls")) {
                if (tool.equals(call.path("name").asString(""))) {
                    return payloads.show(call.path("arguments").asString(null));
                }
            }
        }
        return null;
    }

    private static @Nullable StepView errorStep(SagaView saga) {
        Integer seq = saga.errorStep();
        return seq == null ? null : saga.steps().stream().filter(step -> step.seq() == seq).findFirst().orElse(null);
    }
}
