package dev.agentsaga.engine;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaStatus;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.StepRecord;

/**
 * What undoing a parent's CHILD step comes to, by the child's status: a completed child is moved to
 * COMPENSATING (its own compensations run, newest first, on any node), a running one is cancelled (it
 * compensates itself), and the parent waits until the child rests; a child that undid itself, or never ran,
 * is done; a child whose compensation failed fails the parent's, until an operator retries the parent, which
 * retries the child.
 */
final class ChildCompensation {

    /** What the parent's compensation does next about the step. */
    enum Next {
        /** The child is undone (or had nothing to undo): the step is compensated. */
        UNDONE,
        /** The child's compensation failed: so does the step's. */
        FAILED,
        /** The child is compensating: the parent parks until it rests. */
        WAIT
    }

    record Verdict(Next next, @Nullable String error) {
    }

    private static final EnumSet<SagaStatus> CANCELLABLE = EnumSet.of(SagaStatus.PENDING, SagaStatus.WAITING,
            SagaStatus.NEEDS_ATTENTION);

    private final EngineServices services;

    ChildCompensation(EngineServices services) {
        this.services = services;
    }

    /**
     * Moves the child of {@code step} towards undone, as far as it goes now.
     * @param step the parent's CHILD step as the compensation found it (COMPENSATION_FAILED when an operator
     *        retried the parent after the child's compensation failed)
     */
    Verdict undo(String parentId, StepRecord step) {
        String childId = ChildStep.childId(parentId, step.seq());
        Optional<InstanceRecord> found = services.store().findInstance(childId);
        if (found.isEmpty()) {
            return new Verdict(Next.UNDONE, null);
        }
        InstanceRecord child = found.get();
        Instant now = services.now();
        String reason = "Undone as step " + step.seq() + " of its parent saga " + parentId + ", which is compensating";
        switch (child.status()) {
            case COMPENSATED, FAILED -> {
                return new Verdict(Next.UNDONE, null);
            }
            case COMPLETED -> services.store().transition(childId, EnumSet.of(SagaStatus.COMPLETED),
                    SagaStatus.COMPENSATING, reason, now);
            case COMPENSATION_FAILED -> {
                if (step.status() != StepStatus.COMPENSATION_FAILED) {
                    return new Verdict(Next.FAILED, "its child saga " + childId + " is COMPENSATION_FAILED: "
                            + child.error());
                }
                services.store().transition(childId, EnumSet.of(SagaStatus.COMPENSATION_FAILED),
                        SagaStatus.COMPENSATING, null, now);
            }
            case PENDING, RUNNING, WAITING, NEEDS_ATTENTION -> {
                // as SagaCoordinator.cancel: a running child is told by its engine's heartbeat, the others move now
                services.store().requestCancel(childId, now);
                services.store().transition(childId, CANCELLABLE, SagaStatus.COMPENSATING, reason, now);
            }
            case COMPENSATING -> {
                // under way
            }
        }
        return new Verdict(Next.WAIT, null);
    }
}
