package dev.agentsaga.engine;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.PayloadTooLargeException;
import dev.agentsaga.Resolution;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;

/**
 * What callers and operators do to sagas from outside their runs: look at them, signal them, cancel
 * them, retry them, decide their in-doubt steps, erase them. Each checks the saga's status and writes;
 * waking the poller or a local run is the engine's part.
 */
final class Operations {

    private static final Logger log = LoggerFactory.getLogger(Operations.class);

    private static final Set<SagaStatus> CANCELLABLE = EnumSet.of(SagaStatus.PENDING, SagaStatus.RUNNING,
            SagaStatus.WAITING, SagaStatus.NEEDS_ATTENTION);

    private final EngineServices services;

    private final Erasure erasure;

    Operations(EngineServices services) {
        this.services = services;
        this.erasure = new Erasure(services);
    }

    Optional<SagaView> find(String sagaId) {
        return services.store().findInstance(sagaId).map(saga -> view(saga, services.store().loadJournal(sagaId),
                children(saga.id(), 0)));
    }

    /** How deep {@link #find} reads a saga's tree of children; deeper ones are seen from their own parents. */
    static final int TREE_DEPTH = 8;

    /** The children of the saga, each with its own, down to {@link #TREE_DEPTH} levels below the saga read. */
    private List<SagaView.Child> children(String parentId, int depth) {
        if (depth >= TREE_DEPTH) {
            return List.of();
        }
        return services.store().children(parentId).stream().map(child -> new SagaView.Child(child.id(),
                child.parentStep() == null ? 0 : child.parentStep(), child.workflow(), child.status(),
                children(child.id(), depth + 1))).toList();
    }

    Optional<SagaExport> export(String sagaId) {
        return services.store().findInstance(sagaId).map(saga -> new SagaExport(saga.id(), saga.workflow(),
                saga.workflowVersion(), saga.status(), saga.input(), saga.output(), saga.error(), saga.cancelRequested(),
                saga.createdAt(), saga.erasedAt(), services.store().loadJournal(sagaId)));
    }

    InstanceRecord require(String sagaId) {
        return services.store().findInstance(sagaId)
                .orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + sagaId + "'", sagaId));
    }

    /**
     * Stores a signal for the saga and makes it runnable if it waits.
     * @throws InvalidSagaStateException when the saga is finished or compensating
     */
    void signal(String sagaId, String name, @Nullable Object payload) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        InstanceRecord saga = require(sagaId);
        if (saga.status().isTerminal() || saga.status() == SagaStatus.COMPENSATING
                || saga.status() == SagaStatus.COMPENSATION_FAILED) {
            throw new InvalidSagaStateException("Saga " + sagaId + " is " + saga.status() + "; signals go to sagas "
                    + "that are PENDING, RUNNING, WAITING or NEEDS_ATTENTION", sagaId);
        }
        String json = services.encode(payload, () -> "payload of signal '" + name + "'", sagaId, null);
        Instant now = services.now();
        if (!services.store().deliverSignal(new SignalRecord(UUID.randomUUID().toString(), sagaId, name, json, now),
                now)) {
            throw new InvalidSagaStateException("Saga " + sagaId + " finished while the signal '" + name + "' was "
                    + "delivered; signals go to sagas that are PENDING, RUNNING, WAITING or NEEDS_ATTENTION", sagaId);
        }
    }

    /**
     * Replaces the payloads of a finished saga with {@link SagaView#ERASED}, keeping its timeline; erasing an
     * erased saga writes the same again.
     * @return when the saga was erased: now, or when an earlier call erased it
     * @throws InvalidSagaStateException when the saga is not COMPLETED, COMPENSATED or FAILED
     */
    Instant erase(String sagaId) {
        InstanceRecord saga = require(sagaId);
        if (!saga.status().isTerminal()) {
            throw new InvalidSagaStateException("Saga " + sagaId + " is " + saga.status() + "; only a finished saga "
                    + "(COMPLETED, COMPENSATED or FAILED) can be erased, so that no run reads its payloads again: "
                    + untilFinished(saga.status()), sagaId);
        }
        String parentId = saga.parentId();
        InstanceRecord parent = parentId == null ? null : services.store().findInstance(parentId).orElse(null);
        if (saga.status() == SagaStatus.COMPLETED && parent != null && !parent.status().isTerminal()) {
            throw new InvalidSagaStateException("Saga " + sagaId + " is a child of saga " + parentId + ", which is "
                    + parent.status() + ": its compensation may still have to undo this child with the payloads it "
                    + "recorded; erase it once its parent finished", sagaId);
        }
        // a finished saga's journal no longer changes: what is read here is what the store overwrites
        List<StepRecord> journal = erasure.steps(services.store().loadJournal(sagaId));
        if (!services.store().erase(sagaId, Erasure.error(saga.error()), journal, services.now())) {
            throw new SagaNotFoundException("Saga " + sagaId + " vanished while it was erased", sagaId);
        }
        Instant erasedAt = Objects.requireNonNull(require(sagaId).erasedAt(), "an erased saga records when");
        if (saga.erasedAt() == null) {
            log.info("Erased the payloads of saga {} ({}, {}); its timeline is kept", sagaId, saga.workflow(),
                    saga.status());
        }
        else {
            log.info("Saga {} was erased at {} already; erased its payloads again", sagaId, erasedAt);
        }
        return erasedAt;
    }

    private static String untilFinished(SagaStatus status) {
        return switch (status) {
            case COMPENSATING -> "wait until its compensation ends";
            case COMPENSATION_FAILED -> "fix what its compensation needs and retry it, then erase it once it is "
                    + "COMPENSATED";
            case NEEDS_ATTENTION -> "retry or resolve it and erase it once it finished, or cancel it and erase it "
                    + "once it is COMPENSATED or FAILED";
            default -> "wait until it finishes, or cancel it and erase it once it is COMPENSATED or FAILED";
        };
    }

    /**
     * Requests the saga's cancel; a saga that is not running goes to COMPENSATING at once.
     * @return whether it did, so that the poller claims it; a running saga is told by its run
     * @throws InvalidSagaStateException when the saga is not PENDING, RUNNING, WAITING or NEEDS_ATTENTION
     */
    boolean cancel(String sagaId) {
        InstanceRecord saga = require(sagaId);
        if (!CANCELLABLE.contains(saga.status()) || !services.store().requestCancel(sagaId, services.now())) {
            throw new InvalidSagaStateException("Saga " + sagaId + " is " + saga.status() + "; only a saga that is "
                    + "PENDING, RUNNING, WAITING or NEEDS_ATTENTION can be cancelled", sagaId);
        }
        return services.store().transition(sagaId, EnumSet.of(SagaStatus.PENDING, SagaStatus.WAITING,
                SagaStatus.NEEDS_ATTENTION), SagaStatus.COMPENSATING, SagaRunner.CANCELLED, services.now());
    }

    void retry(String sagaId) {
        InstanceRecord saga = require(sagaId);
        boolean moved;
        if (saga.status() == SagaStatus.COMPENSATION_FAILED) {
            moved = services.store().transition(sagaId, EnumSet.of(SagaStatus.COMPENSATION_FAILED),
                    SagaStatus.COMPENSATING, null, services.now());
        }
        else if (saga.status() == SagaStatus.NEEDS_ATTENTION) {
            Optional<StepRecord> inDoubt = inDoubt(services.store().loadJournal(sagaId));
            if (inDoubt.isPresent()) {
                throw new InvalidSagaStateException("Saga " + sagaId + " has an in-doubt IRREVERSIBLE step "
                        + inDoubt.get().seq() + " (" + inDoubt.get().name() + "): resolve it first, with "
                        + "Resolution.happened(output), Resolution.retryStep() or Resolution.compensate(); retry does "
                        + "not decide an in-doubt step", sagaId, inDoubt.get().seq(), null);
            }
            moved = services.store().transition(sagaId, EnumSet.of(SagaStatus.NEEDS_ATTENTION), SagaStatus.RUNNING, null,
                    services.now());
        }
        else {
            throw new InvalidSagaStateException("Saga " + sagaId + " is " + saga.status() + "; retry resumes a saga "
                    + "that is COMPENSATION_FAILED or NEEDS_ATTENTION", sagaId);
        }
        if (!moved) {
            throw new InvalidSagaStateException("Saga " + sagaId + " changed status while it was retried; look again",
                    sagaId);
        }
    }

    void resolve(String sagaId, Resolution resolution) {
        InstanceRecord saga = require(sagaId);
        StepRecord step = saga.status() != SagaStatus.NEEDS_ATTENTION ? null
                : inDoubt(services.store().loadJournal(sagaId)).orElse(null);
        if (step == null) {
            throw new InvalidSagaStateException("Saga " + sagaId + " is " + saga.status() + " with no in-doubt step; "
                    + "resolve decides an in-doubt IRREVERSIBLE step of a saga that NEEDS_ATTENTION"
                    + (saga.status() == SagaStatus.NEEDS_ATTENTION ? " (use retry)" : ""), sagaId);
        }
        String note = resolution.note().isBlank() ? null : resolution.note();
        StepRecord decided;
        SagaStatus next;
        String error = null;
        switch (resolution.outcome()) {
            case HAPPENED -> {
                String output;
                try {
                    output = services.encode(resolution.output(), () -> "output given to resolve step " + step.seq(),
                            sagaId,
                            step.seq());
                }
                catch (PayloadTooLargeException ex) {
                    throw ex;
                }
                decided = step.finished(StepStatus.SUCCEEDED, output, null, step.attempts(), services.now());
                next = SagaStatus.RUNNING;
            }
            case RETRY -> {
                decided = step;
                next = SagaStatus.RUNNING;
            }
            default -> {
                error = "Step " + step.seq() + " (" + step.name() + ") did not happen, an operator decided";
                decided = step.finished(StepStatus.FAILED, null, services.errorJson(new IllegalStateException(error)),
                        step.attempts(), services.now());
                next = SagaStatus.COMPENSATING;
            }
        }
        if (!services.store().resolve(decided.resolved(resolution.outcome().name(), note), next, error, services.now())) {
            throw new InvalidSagaStateException("Saga " + sagaId + " changed status while it was resolved; look again",
                    sagaId);
        }
    }

    private static Optional<StepRecord> inDoubt(List<StepRecord> journal) {
        return journal.stream()
                .filter(step -> step.kind() == StepKind.ACTION && step.status() == StepStatus.STARTED)
                .filter(step -> !SagaContext.RETRY.equals(step.resolution()))
                .findFirst();
    }

    private static SagaView view(InstanceRecord saga, List<StepRecord> journal, List<SagaView.Child> children) {
        List<StepView> steps = journal.stream().map(step -> new StepView(step.seq(), step.name(), step.kind(),
                step.status(), step.reversibility(), step.attempts(), step.input(), step.output(), step.error(),
                step.startedAt(), step.finishedAt(), step.compensationAttempts(), step.compensationError(),
                step.compensatedAt(), step.note(), StepContext.keyOf(saga.id(), step.seq()), step.inputTokens(),
                step.outputTokens())).toList();
        return new SagaView(saga.id(), saga.workflow(), saga.workflowVersion(), saga.status(), saga.input(),
                saga.output(), saga.error(), saga.errorStep(), saga.cancelRequested(), saga.wakeAt(), saga.createdAt(),
                saga.updatedAt(), steps, saga.savedTokens(), saga.replayedTokens(), saga.recoveredFrom() == null
                        ? List.of() : List.of(saga.recoveredFrom().split(Recoveries.SEPARATOR)), saga.erasedAt(),
                saga.parentId(), saga.parentStep(), children, saga.forkedFrom(), saga.forkStep());
    }
}
