package dev.agentsaga.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ForkOverrides;
import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaComparison;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.UnknownWorkflowException;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.NodeRecord;
import dev.agentsaga.spi.StepRecord;
import dev.agentsaga.spi.WorkflowKey;

/**
 * Forks and comparisons. A fork is a new saga that inherits the source's journal before its fork step (the
 * entries copied, marked {@link Compensator#FORKED}, never undone by the fork) and runs on from there; a
 * comparison pairs two journals entry by entry.
 */
final class Forks {

    private final EngineServices services;

    Forks(EngineServices services) {
        this.services = services;
    }

    /**
     * Creates the fork, PENDING, with its inherited entries, in one transaction.
     * @return the fork's id
     */
    String fork(String sagaId, int fromStep, ForkOverrides overrides) {
        Objects.requireNonNull(overrides, "overrides must not be null");
        InstanceRecord source = services.store().findInstance(sagaId)
                .orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + sagaId + "'", sagaId));
        if (source.erasedAt() != null) {
            throw new InvalidSagaStateException("Saga " + sagaId + " was erased: its inputs and outputs are gone, so "
                    + "nothing can be forked from it", sagaId);
        }
        List<StepRecord> journal = services.store().loadJournal(sagaId);
        int last = journal.isEmpty() ? 0 : journal.get(journal.size() - 1).seq();
        if (fromStep < 1 || fromStep > last + 1) {
            throw new InvalidSagaStateException("Saga " + sagaId + " cannot be forked from step " + fromStep
                    + ": its journal holds steps 1 to " + last + ", so a fork starts at a step from 1 to " + (last + 1),
                    sagaId, fromStep, null);
        }
        String version = overrides.workflowVersion() != null ? overrides.workflowVersion() : source.workflowVersion();
        requireServed(source.workflow(), version, sagaId);
        String forkId = UUID.randomUUID().toString();
        List<StepRecord> inherited = new ArrayList<>();
        for (StepRecord step : journal) {
            if (step.seq() < fromStep) {
                inherited.add(inherited(step, forkId, sagaId, fromStep));
            }
        }
        String overridesJson;
        try {
            overridesJson = services.encode(overrides, () -> "fork overrides", forkId, null);
        }
        catch (PayloadException ex) {
            throw new PayloadException("The overrides of the fork of saga " + sagaId + " cannot be stored: "
                    + ex.getMessage(), sagaId, fromStep, ex);
        }
        NewSaga fork = NewSaga.fork(forkId, source.workflow(), version, Objects.requireNonNull(source.input(),
                "a saga's input is recorded"), sagaId, fromStep, overridesJson, services.now());
        if (!services.store().createFork(fork, inherited) && !services.store().findInstance(forkId)
                .map(InstanceRecord::forkedFrom).filter(sagaId::equals).isPresent()) {
            // the id was new, so only this fork's own commit, its answer lost and retried, can have taken it
            throw new SagaIdConflictException("A saga with the id " + forkId + " exists; fork again", forkId);
        }
        return forkId;
    }

    /**
     * The fork's copy of a source entry before the fork step; refused when that entry has not finished, or
     * when the source's compensation undid it.
     */
    private static StepRecord inherited(StepRecord step, String forkId, String sourceId, int fromStep) {
        if (step.status() == StepStatus.STARTED) {
            boolean inDoubt = step.kind() == StepKind.ACTION && step.reversibility() == Reversibility.IRREVERSIBLE;
            throw new InvalidSagaStateException("Saga " + sourceId + " cannot be forked from step " + fromStep
                    + ": step " + step.seq() + " (" + step.name() + ") before it " + (inDoubt ? "is in doubt (an "
                    + "IRREVERSIBLE step whose outcome is unknown), so the fork could not know what happened; resolve "
                    + "it first, or fork from step " + step.seq() + " or earlier" : "has not finished; fork from step "
                    + step.seq() + " or earlier, or once it has finished"), sourceId, step.seq(), null);
        }
        if (step.status() == StepStatus.COMPENSATING || step.status() == StepStatus.COMPENSATED
                || step.status() == StepStatus.COMPENSATION_FAILED) {
            throw new InvalidSagaStateException("Saga " + sourceId + " cannot be forked from step " + fromStep
                    + ": step " + step.seq() + " (" + step.name() + ") before it was " + step.status()
                    + " by the saga's compensation, so its effect is undone and a fork cannot build on it; fork "
                    + "from step " + step.seq() + " or earlier", sourceId, step.seq(), null);
        }
        StepStatus status = step.status();
        return new StepRecord(forkId, step.seq(), step.name(), step.kind(), step.reversibility(), status, step.input(),
                step.output(), step.error(), step.attempts(), step.startedAt(), step.finishedAt(), 0, null, null,
                Compensator.FORKED, "inherited from saga " + sourceId + ", which ran it; this fork never undoes it",
                step.fingerprint(), step.inputTokens(), step.outputTokens());
    }

    /** Refuses a version that neither this engine nor a running node of the fleet runs. */
    private void requireServed(String workflow, String version, String sagaId) {
        WorkflowKey key = new WorkflowKey(workflow, version);
        if (services.registry().workflowKeys().contains(key)) {
            return;
        }
        for (NodeRecord node : services.store().nodes()) {
            if (node.workflows().contains(key)) {
                return;
            }
        }
        throw new UnknownWorkflowException("No running node runs version '" + version + "' of workflow '" + workflow
                + "', so a fork of saga " + sagaId + " in that version would never run; deploy it, or fork in a "
                + "version that runs", sagaId);
    }

    SagaComparison compare(String idA, String idB) {
        InstanceRecord a = require(idA);
        InstanceRecord b = require(idB);
        if (!a.workflow().equals(b.workflow())) {
            throw new InvalidSagaStateException("Sagas " + idA + " and " + idB + " run different workflows ('"
                    + a.workflow() + "' and '" + b.workflow() + "'); compare two sagas of one workflow", idA);
        }
        List<StepRecord> journalA = services.store().loadJournal(idA);
        List<StepRecord> journalB = services.store().loadJournal(idB);
        Map<Integer, StepRecord> byA = bySeq(journalA);
        Map<Integer, StepRecord> byB = bySeq(journalB);
        int last = Math.max(lastSeq(journalA), lastSeq(journalB));
        Integer divergedAt = null;
        List<SagaComparison.StepDifference> differences = new ArrayList<>();
        for (int seq = 1; seq <= last; seq++) {
            StepRecord stepA = byA.get(seq);
            StepRecord stepB = byB.get(seq);
            if (same(stepA, stepB)) {
                continue;
            }
            if (divergedAt == null) {
                divergedAt = seq;
            }
            differences.add(new SagaComparison.StepDifference(seq, entry(stepA), entry(stepB), toolCalls(stepA),
                    toolCalls(stepB)));
        }
        return new SagaComparison(side(a, journalA), side(b, journalB), divergedAt, differences);
    }

    private InstanceRecord require(String sagaId) {
        return services.store().findInstance(sagaId)
                .orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + sagaId + "'", sagaId));
    }

    private static Map<Integer, StepRecord> bySeq(List<StepRecord> journal) {
        Map<Integer, StepRecord> bySeq = new java.util.HashMap<>();
        journal.forEach(step -> bySeq.put(step.seq(), step));
        return bySeq;
    }

    private static int lastSeq(List<StepRecord> journal) {
        return journal.isEmpty() ? 0 : journal.get(journal.size() - 1).seq();
    }

    /**
     * Whether two entries at one sequence are the same: the same step, asked with the same input (and request
     * fingerprint), with the same outcome. A compensated entry is the same as the result it undid.
     */
    private static boolean same(@Nullable StepRecord a, @Nullable StepRecord b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.name().equals(b.name()) && a.kind() == b.kind() && outcome(a) == outcome(b)
                && Objects.equals(a.input(), b.input()) && Objects.equals(a.output(), b.output())
                && Objects.equals(a.error(), b.error()) && Objects.equals(a.fingerprint(), b.fingerprint());
    }

    private static StepStatus outcome(StepRecord step) {
        return switch (step.status()) {
            case COMPENSATING, COMPENSATED, COMPENSATION_FAILED -> StepStatus.SUCCEEDED;
            default -> step.status();
        };
    }

    private static SagaComparison.@Nullable Entry entry(@Nullable StepRecord step) {
        return step == null ? null : new SagaComparison.Entry(step.name(), step.kind(), step.status(), step.input(),
                step.output(), step.error(), step.inputTokens(), step.outputTokens());
    }

    /** The tool calls a recorded model response asked for: its {@code toolCalls}, each with a name and arguments. */
    private List<SagaComparison.ToolCall> toolCalls(@Nullable StepRecord step) {
        if (step == null || step.kind() != StepKind.LLM || step.output() == null) {
            return List.of();
        }
        Object response;
        try {
            response = services.codec().decode(step.output(), Object.class);
        }
        catch (PayloadException ex) {
            return List.of();
        }
        if (!(response instanceof Map<?, ?> fields) || !(fields.get("toolCalls") instanceof List<?> calls)) {
            return List.of();
        }
        List<SagaComparison.ToolCall> toolCalls = new ArrayList<>();
        for (Object call : calls) {
            if (call instanceof Map<?, ?> c && c.get("name") != null) {
                Object arguments = c.get("arguments");
                toolCalls.add(new SagaComparison.ToolCall(String.valueOf(c.get("name")), arguments == null ? null
                        : arguments instanceof String text ? text : services.codec().encode(arguments)));
            }
        }
        return toolCalls;
    }

    private static SagaComparison.Side side(InstanceRecord saga, List<StepRecord> journal) {
        long in = 0;
        long out = 0;
        for (StepRecord step : journal) {
            if (Compensator.FORKED.equals(step.resolution())) {
                continue;
            }
            in += step.inputTokens() == null ? 0 : step.inputTokens();
            out += step.outputTokens() == null ? 0 : step.outputTokens();
        }
        return new SagaComparison.Side(saga.id(), saga.workflowVersion(), saga.status(), saga.output(), saga.error(),
                saga.forkedFrom(), saga.forkStep(), journal.size(), in, out);
    }
}
