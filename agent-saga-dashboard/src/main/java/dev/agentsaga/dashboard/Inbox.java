package dev.agentsaga.dashboard;

import java.util.List;

import dev.agentsaga.SagaView;

/**
 * The sagas that need a person, each with what it waits for.
 *
 * @param waitingChecked how many of the newest WAITING sagas were looked at for approvals
 * @param moreWaiting whether there are more WAITING sagas than were looked at
 */
public record Inbox(List<Item> approvals, List<Item> attention, List<Item> compensationFailed,
        StatusCounts.Count attentionCount, StatusCounts.Count compensationFailedCount, int waitingChecked,
        boolean moreWaiting) {

    /** A saga and what it waits for. */
    public record Item(SagaView saga, PendingDecision decision) {
    }

    public boolean isEmpty() {
        return approvals.isEmpty() && attention.isEmpty() && compensationFailed.isEmpty();
    }

    /** How many items the inbox shows. */
    public int size() {
        return approvals.size() + attention.size() + compensationFailed.size();
    }
}
