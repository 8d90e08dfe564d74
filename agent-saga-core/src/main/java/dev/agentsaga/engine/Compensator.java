package dev.agentsaga.engine;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.CompensationResult;
import dev.agentsaga.spi.CompensationStart;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.StepRecord;

/**
 * Undoes the completed COMPENSABLE steps of a saga, newest first, one commit per step: each commit
 * records one step COMPENSATED and marks the next COMPENSATING, so a crash re-runs at most the one
 * compensation that was under way, with the step's idempotency key.
 */
final class Compensator {

    static final String READ_ONLY_NOTE = "nothing to undo: READ_ONLY";

    static final String IRREVERSIBLE_NOTE = "cannot be undone: IRREVERSIBLE";

    static final String FAILED_NOTE = "not compensated: the step did not succeed";

    static final String IN_DOUBT_NOTE = "not compensated: IRREVERSIBLE step whose outcome is unknown";

    /** The resolution of an entry a fork inherited from its source: the fork never undoes it. */
    static final String FORKED = "FORKED";

    private static final Logger log = LoggerFactory.getLogger(Compensator.class);

    private final EngineServices services;

    private final ChildCompensation children;

    Compensator(EngineServices services) {
        this.services = services;
        this.children = new ChildCompensation(services);
    }

    /**
     * Compensates, from the start or going on after a crash or a retry: records why (when
     * {@code error} is given) and what will not be undone, then undoes the rest.
     * @return COMPENSATED, COMPENSATION_FAILED, FAILED when there was nothing to undo, or COMPENSATING when it
     *     parked to wait for a child saga to compensate
     */
    SagaStatus compensate(Lease lease, String workflow, List<StepRecord> journal, @Nullable String error,
            @Nullable Integer errorStep) {
        String sagaId = lease.sagaId();
        List<StepRecord> toUndo = toUndo(journal);
        Map<Integer, String> notes = notes(journal);
        boolean somethingCompensated = journal.stream().anyMatch(step -> step.status() == StepStatus.COMPENSATED);
        Integer first = toUndo.isEmpty() ? null : toUndo.get(0).seq();
        boolean firstMarked = !toUndo.isEmpty() && toUndo.get(0).status() == StepStatus.COMPENSATING;
        if (error != null || !notes.isEmpty() || first == null || !firstMarked) {
            held(services.store().startCompensation(lease, new CompensationStart(sagaId, error, errorStep, notes, first,
                    somethingCompensated, services.now())), sagaId);
        }
        if (first == null) {
            return somethingCompensated ? SagaStatus.COMPENSATED : SagaStatus.FAILED;
        }
        return undo(lease, workflow, toUndo);
    }

    private static void held(boolean held, String sagaId) {
        if (!held) {
            throw new LeaseLost(sagaId);
        }
    }

    private SagaStatus undo(Lease lease, String workflow, List<StepRecord> toUndo) {
        String sagaId = lease.sagaId();
        for (int i = 0; i < toUndo.size(); i++) {
            StepRecord step = toUndo.get(i);
            Integer next = i + 1 < toUndo.size() ? toUndo.get(i + 1).seq() : null;
            StepExecutor.Outcome outcome;
            if (step.kind() == StepKind.CHILD) {
                ChildCompensation.Verdict verdict = children.undo(sagaId, step);
                if (verdict.next() == ChildCompensation.Next.WAIT) {
                    log.debug("Saga {} waits for its child at step {} to compensate", sagaId, step.seq());
                    held(services.store().parkCompensation(lease, ChildStep.childId(sagaId, step.seq()),
                            services.now().plus(services.settings().childRecheck()), services.now()), sagaId);
                    return SagaStatus.COMPENSATING;
                }
                String error = verdict.error();
                outcome = new StepExecutor.Outcome(null, error == null ? null : new IllegalStateException(error), 1,
                        false);
            }
            else {
                outcome = compensateOne(sagaId, step);
            }
            services.observer().compensationEnded(new SagaObserver.StepEvent(sagaId, workflow, step.seq(), step.name(),
                    step.kind(), step.reversibility()), outcome.succeeded(), outcome.attempts());
            Throwable failure = outcome.failure();
            if (failure != null) {
                String error = String.valueOf(failure.getMessage());
                log.warn("Compensation of step {} ({}) of saga {} failed after {} attempts: {}", step.seq(),
                        step.name(), sagaId, outcome.attempts(), failure.toString());
                held(services.store().recordCompensation(lease, new CompensationResult(sagaId, step.seq(),
                        StepStatus.COMPENSATION_FAILED, outcome.attempts(), error, null, services.now())), sagaId);
                return SagaStatus.COMPENSATION_FAILED;
            }
            held(services.store().recordCompensation(lease, new CompensationResult(sagaId, step.seq(),
                    StepStatus.COMPENSATED, outcome.attempts(), null, next, services.now())), sagaId);
        }
        return SagaStatus.COMPENSATED;
    }

    private StepExecutor.Outcome compensateOne(String sagaId, StepRecord step) {
        Registry.ActionEntry entry;
        Object input;
        Object output;
        try {
            entry = services.registry().action(step.name());
            input = services.decode(step.input(), entry.inputType(), () -> "input of step " + step.seq(), sagaId,
                    step.seq());
            output = services.decode(step.output(), entry.outputType(), () -> "output of step " + step.seq(), sagaId,
                    step.seq());
        }
        catch (AgentSagaException ex) {
            return new StepExecutor.Outcome(null, ex, 0, false);
        }
        return services.executor().run(() -> "compensation of step " + step.seq() + " (" + step.name() + ")",
                entry.policy(),
                entry.policy().maxAttempts(), false, attempt -> {
                    entry.action().compensate(input, output, new StepContext(sagaId, step.seq(), attempt, true));
                    return null;
                }, StepExecutor.RetryListener.NONE);
    }

    /**
     * The steps to undo, newest first: completed COMPENSABLE actions not yet compensated, and children that did
     * not fail (a child still running is cancelled); never an entry a fork inherited.
     */
    private static List<StepRecord> toUndo(List<StepRecord> journal) {
        return journal.stream()
                .filter(step -> !FORKED.equals(step.resolution()))
                .filter(step -> step.kind() == StepKind.ACTION && step.reversibility() == Reversibility.COMPENSABLE
                        && step.status() != StepStatus.STARTED
                        || step.kind() == StepKind.CHILD && step.status() != StepStatus.COMPENSATED)
                .filter(step -> step.status() == StepStatus.SUCCEEDED || step.status() == StepStatus.COMPENSATING
                        || step.status() == StepStatus.COMPENSATION_FAILED || step.status() == StepStatus.STARTED)
                .sorted(Comparator.comparingInt(StepRecord::seq).reversed())
                .toList();
    }

    private static Map<Integer, String> notes(List<StepRecord> journal) {
        Map<Integer, String> notes = new LinkedHashMap<>();
        for (StepRecord step : journal) {
            if (step.kind() != StepKind.ACTION || step.note() != null) {
                continue;
            }
            if (step.status() == StepStatus.FAILED) {
                notes.put(step.seq(), FAILED_NOTE);
            }
            else if (step.status() == StepStatus.STARTED) {
                notes.put(step.seq(), IN_DOUBT_NOTE);
            }
            else if (step.reversibility() == Reversibility.READ_ONLY) {
                notes.put(step.seq(), READ_ONLY_NOTE);
            }
            else if (step.reversibility() == Reversibility.IRREVERSIBLE) {
                notes.put(step.seq(), IRREVERSIBLE_NOTE);
            }
        }
        return notes;
    }
}
