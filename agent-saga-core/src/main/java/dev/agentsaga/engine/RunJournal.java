package dev.agentsaga.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.NonDeterminismException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaCancelledException;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.engine.SagaContext.Halt;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;

/**
 * The journal as one run of a saga sees it: hands out sequence numbers, finds what was recorded at
 * each, writes new steps under the lease, and remembers why the run had to stop. What a step means is
 * {@link SagaContext}'s business; how it reaches the journal is this class's.
 */
final class RunJournal {

    private final Engine engine;

    private final String sagaId;

    private final String workflow;

    private final Lease lease;

    private final TreeMap<Integer, StepRecord> journal = new TreeMap<>();

    private final int journaledSteps;

    private final SagaContext.Interruption interruption;

    private int seq;

    private @Nullable Halt halt;

    private boolean cancelled;

    RunJournal(Engine engine, Lease lease, String workflow, List<StepRecord> journal,
            SagaContext.Interruption interruption) {
        this.engine = engine;
        this.lease = lease;
        this.sagaId = lease.sagaId();
        this.workflow = workflow;
        journal.forEach(step -> this.journal.put(step.seq(), step));
        this.journaledSteps = this.journal.isEmpty() ? 0 : this.journal.lastKey();
        this.interruption = interruption;
    }

    /** The sequence number of the step the workflow asks for now. */
    int nextSeq() {
        return ++seq;
    }

    /** Why the run stopped without a verdict of the workflow's own, if it did. */
    @Nullable Halt halt() {
        return halt;
    }

    /** Whether the workflow was told it is cancelled. */
    boolean cancelled() {
        return cancelled;
    }

    /** Whether the journal holds steps the workflow did not ask for in this run. */
    boolean leftStepsUnvisited() {
        return seq < journaledSteps;
    }

    int lastSeq() {
        return seq;
    }

    int journaledSteps() {
        return journaledSteps;
    }

    /** The journal as it stands after this run, in sequence order. */
    List<StepRecord> steps() {
        return new ArrayList<>(journal.values());
    }

    /** Whether a step after {@code n} changed the world (a COMPENSABLE or IRREVERSIBLE action). */
    boolean worldChangedAfter(int n) {
        return journal.tailMap(n, false).values().stream().anyMatch(step -> step.kind() == StepKind.ACTION
                && step.reversibility() != Reversibility.READ_ONLY);
    }

    /**
     * The step recorded at {@code n}, or null when the workflow has gone past the journal.
     * @throws NonDeterminismException when the journal recorded another step there (the run halts)
     */
    @Nullable StepRecord journaled(int n, String name, StepKind kind) {
        StepRecord recorded = journal.get(n);
        if (recorded == null) {
            return null;
        }
        if (!recorded.name().equals(name) || recorded.kind() != kind) {
            throw attention(new NonDeterminismException("Non-determinism in saga " + sagaId + " at step " + n
                    + ": the journal recorded '" + recorded.name() + "' (" + recorded.kind() + ") but the workflow now "
                    + "asks for '" + name + "' (" + kind + "). The workflow's code changed under a running saga: "
                    + "restore the previous code (or give changed code a new version()), then retry the saga", sagaId,
                    n, null));
        }
        return recorded;
    }

    SagaObserver.StepEvent event(int n, String name, StepKind kind, @Nullable Reversibility reversibility) {
        return new SagaObserver.StepEvent(sagaId, workflow, n, name, kind, reversibility);
    }

    StepExecutor.Outcome observed(SagaObserver.StepEvent event, Supplier<StepExecutor.Outcome> execution) {
        SagaObserver.StepObservation observation = engine.observer().stepStarted(event);
        StepExecutor.Outcome outcome;
        try {
            outcome = execution.get();
        }
        catch (RuntimeException | Error ex) {
            observation.stop("failed", 0, ex);
            throw ex;
        }
        String result = outcome.succeeded() ? "succeeded" : outcome.ambiguous() ? "unknown" : "failed";
        observation.stop(result, outcome.attempts(), outcome.failure());
        return outcome;
    }

    /** Journals the outcome of an executed step and returns its value, or throws its failure. */
    @Nullable Object record(StepRecord step, StepExecutor.Outcome outcome, boolean insert) {
        Instant finished = engine.now();
        if (!outcome.succeeded()) {
            write(step.finished(StepStatus.FAILED, null, engine.errorJson(outcome.failure()), outcome.attempts(),
                    finished), insert);
            throw new StepFailedException(sagaId, step.seq(), step.name(), outcome.failure().getClass().getName(),
                    String.valueOf(outcome.failure().getMessage()), outcome.failure());
        }
        String output;
        try {
            output = engine.encode(outcome.value(), () -> "output of " + label(step.seq(), step.name()), sagaId,
                    step.seq());
        }
        catch (PayloadException ex) {
            // the effect happened but cannot be recorded: an operator must fix the type or the limit, then retry
            throw attention(ex);
        }
        write(step.finished(StepStatus.SUCCEEDED, output, null, outcome.attempts(), finished), insert);
        return outcome.value();
    }

    void write(StepRecord step, boolean insert) {
        journaling(() -> engine.write(insert ? new JournalWrite.AppendStep(lease, step)
                : new JournalWrite.UpdateStep(lease, step)));
        journal.put(step.seq(), step);
    }

    @SuppressWarnings("unchecked")
    Optional<SignalRecord> findSignal(String name) {
        Optional<SignalRecord>[] found = new Optional[1];
        journaling(() -> {
            found[0] = engine.store().findSignal(sagaId, name);
            return true;
        });
        return found[0];
    }

    /** Journals the wait for a signal as received and consumes the signal, in one commit. */
    void consumeSignal(SignalRecord signal, StepRecord received, boolean insert) {
        journaling(() -> engine.store().consumeSignal(lease, signal.id(), received, insert));
        journal.put(received.seq(), received);
    }

    /** Parks the saga WAITING until {@code wakeAt} (or the awaited signal) and stops the run. */
    void park(StepRecord wait, boolean insert, Instant wakeAt, @Nullable String awaitedSignal) {
        if (interruption.cancelRequested()) {
            cancelled = true;
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled while about to wait", sagaId);
        }
        journaling(() -> engine.store().park(lease, wait, insert, wakeAt, engine.now(), awaitedSignal));
        journal.put(wait.seq(), wait);
        halt = new Halt(Halt.Kind.PARKED, null, wait.seq());
        throw new Suspension("parked until " + wakeAt);
    }

    /**
     * Runs a fenced journal operation. A failure of the database is not a failure of the workflow: the
     * run stops and the saga is resumed later from what the journal holds, with the same idempotency
     * keys. A lost lease stops the run without a trace: the engine that took the saga over goes on.
     */
    private void journaling(BooleanSupplier operation) {
        boolean held;
        try {
            held = operation.getAsBoolean();
        }
        catch (SagaStoreException ex) {
            halt = new Halt(Halt.Kind.STORE_FAILED, ex.getMessage(), null);
            throw new Suspension("the journal could not be written: " + ex.getMessage());
        }
        catch (RuntimeException ex) {
            // whatever else a store throws is its failure too, never the workflow's: no compensation for it
            String message = ex.getClass().getName() + ": " + ex.getMessage();
            halt = new Halt(Halt.Kind.STORE_FAILED, message, null);
            throw new Suspension("the journal could not be written: " + message);
        }
        if (!held) {
            halt = new Halt(Halt.Kind.LEASE_LOST, "another engine took saga " + sagaId + " over at step " + seq, seq);
            throw new Suspension("the lease on saga " + sagaId + " was lost");
        }
    }

    /** Stops the run before a new step when the engine is stopping or the saga is cancelled. */
    void beforeNewStep() {
        if (interruption.stopping()) {
            halt = new Halt(Halt.Kind.RELEASED, null, null);
            throw new Suspension("the engine is stopping");
        }
        if (interruption.cancelRequested()) {
            cancelled = true;
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled; let this exception propagate so "
                    + "the engine compensates the completed steps", sagaId);
        }
    }

    void checkNotHalted() {
        if (halt != null) {
            throw new Suspension("the saga is halted: " + halt.kind());
        }
        if (cancelled) {
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled", sagaId);
        }
    }

    /** Halts the run for an operator to decide, and returns the reason to throw. */
    RuntimeException attention(RuntimeException reason) {
        Integer step = reason instanceof AgentSagaException e ? e.step() : null;
        halt = new Halt(Halt.Kind.ATTENTION, reason.getMessage(), step);
        return reason;
    }

    /** The failure a FAILED step recorded, thrown again on replay. */
    StepFailedException failure(StepRecord recorded) {
        String[] error = engine.readError(recorded.error());
        return new StepFailedException(sagaId, recorded.seq(), recorded.name(), error[0], error[1], null);
    }

    static String label(int n, String name) {
        return "step " + n + " (" + name + ")";
    }
}
