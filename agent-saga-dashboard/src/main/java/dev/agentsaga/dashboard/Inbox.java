package dev.agentsaga.dashboard;

import java.util.List;

import dev.agentsaga.SagaFleet;
import dev.agentsaga.SagaView;

/**
 * The sagas that need a person, each with what it waits for.
 *
 * @param waitingChecked how many of the newest WAITING sagas were looked at for approvals
 * @param moreWaiting whether there are more WAITING sagas than were looked at
 * @param unserved the workflow versions whose unfinished sagas no running node resumes (see
 *        {@link dev.agentsaga.SagaCoordinator#fleet()}): a node of that version must run, or the sagas be cancelled
 */
public record Inbox(List<Item> approvals, List<Item> attention, List<Item> compensationFailed,
        StatusCounts.Count attentionCount, StatusCounts.Count compensationFailedCount, int waitingChecked,
        boolean moreWaiting, List<SagaFleet.Version> unserved) {

    /** A saga and what it waits for. */
    public record Item(SagaView saga, PendingDecision decision) {
    }

    public boolean isEmpty() {
        return approvals.isEmpty() && attention.isEmpty() && compensationFailed.isEmpty() && unserved.isEmpty();
    }

    /** How many sagas the inbox shows, the unserved ones counted in. */
    public long size() {
        return approvals.size() + attention.size() + compensationFailed.size()
                + unserved.stream().mapToLong(SagaFleet.Version::unfinished).sum();
    }
}
