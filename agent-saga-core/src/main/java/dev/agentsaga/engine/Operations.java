package dev.agentsaga.engine;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.PayloadTooLargeException;
import dev.agentsaga.Resolution;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.StepRecord;

/** What operators do to sagas at rest: look at them, retry them, decide their in-doubt steps. */
final class Operations {

    private final Engine engine;

    Operations(Engine engine) {
        this.engine = engine;
    }

    Optional<SagaView> find(String sagaId) {
        return engine.store().findInstance(sagaId).map(saga -> view(saga, engine.store().loadJournal(sagaId)));
    }

    InstanceRecord require(String sagaId) {
        return engine.store().findInstance(sagaId)
                .orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + sagaId + "'", sagaId));
    }

    void retry(String sagaId) {
        InstanceRecord saga = require(sagaId);
        boolean moved;
        if (saga.status() == SagaStatus.COMPENSATION_FAILED) {
            moved = engine.store().transition(sagaId, EnumSet.of(SagaStatus.COMPENSATION_FAILED),
                    SagaStatus.COMPENSATING, null, engine.now());
        }
        else if (saga.status() == SagaStatus.NEEDS_ATTENTION) {
            Optional<StepRecord> inDoubt = inDoubt(engine.store().loadJournal(sagaId));
            if (inDoubt.isPresent()) {
                throw new InvalidSagaStateException("Saga " + sagaId + " has an in-doubt IRREVERSIBLE step "
                        + inDoubt.get().seq() + " (" + inDoubt.get().name() + "): resolve it first, with "
                        + "Resolution.happened(output), Resolution.retryStep() or Resolution.compensate(); retry does "
                        + "not decide an in-doubt step", sagaId, inDoubt.get().seq(), null);
            }
            moved = engine.store().transition(sagaId, EnumSet.of(SagaStatus.NEEDS_ATTENTION), SagaStatus.RUNNING, null,
                    engine.now());
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
                : inDoubt(engine.store().loadJournal(sagaId)).orElse(null);
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
                    output = engine.encode(resolution.output(), () -> "output given to resolve step " + step.seq(),
                            sagaId,
                            step.seq());
                }
                catch (PayloadTooLargeException ex) {
                    throw ex;
                }
                decided = step.finished(StepStatus.SUCCEEDED, output, null, step.attempts(), engine.now());
                next = SagaStatus.RUNNING;
            }
            case RETRY -> {
                decided = step;
                next = SagaStatus.RUNNING;
            }
            default -> {
                error = "Step " + step.seq() + " (" + step.name() + ") did not happen, an operator decided";
                decided = step.finished(StepStatus.FAILED, null, engine.errorJson(new IllegalStateException(error)),
                        step.attempts(), engine.now());
                next = SagaStatus.COMPENSATING;
            }
        }
        if (!engine.store().resolve(decided.resolved(resolution.outcome().name(), note), next, error, engine.now())) {
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

    private static SagaView view(InstanceRecord saga, List<StepRecord> journal) {
        List<StepView> steps = journal.stream().map(step -> new StepView(step.seq(), step.name(), step.kind(),
                step.status(), step.reversibility(), step.attempts(), step.input(), step.output(), step.error(),
                step.startedAt(), step.finishedAt(), step.compensationAttempts(), step.compensationError(),
                step.compensatedAt(), step.note(), StepContext.keyOf(saga.id(), step.seq()), step.inputTokens(),
                step.outputTokens())).toList();
        return new SagaView(saga.id(), saga.workflow(), saga.workflowVersion(), saga.status(), saga.input(),
                saga.output(), saga.error(), saga.errorStep(), saga.cancelRequested(), saga.wakeAt(), saga.createdAt(),
                saga.updatedAt(), steps, saga.replayedTokens());
    }
}
