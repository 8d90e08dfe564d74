package dev.agentsaga.engine;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.AgentSagaException;
import dev.agentsaga.EncryptionKeyException;
import dev.agentsaga.ForkOverrides;
import dev.agentsaga.NonDeterminismException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaCancelledException;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.NewSaga;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SagaThreads;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;

/**
 * The journal as one run of a saga sees it, and the skeleton that every kind of step shares
 * ({@link #step}): the next sequence number, the entry recorded there, checked against what the
 * workflow asks for, then either that entry's replay or, for a new step, a check for a cancel or a stop
 * and the step's own work. Under it: the observed execution of new work, the fenced writes, which
 * decide once whether an entry is appended or rewritten, and why the run had to stop.
 */
final class RunJournal {

    /** What the entry recorded at a step's sequence answers: its value, its failure thrown, or the step resumed. */
    @FunctionalInterface
    interface Replay<T> {
        @Nullable T from(StepRecord recorded);
    }

    /** How a step that the journal does not hold yet runs, at sequence {@code seq}. */
    @FunctionalInterface
    interface Fresh<T> {
        @Nullable T run(int seq);
    }

    private final EngineServices services;

    private final String sagaId;

    private final String workflow;

    private final Lease lease;

    private final TreeMap<Integer, StepRecord> journal = new TreeMap<>();

    private final int journaledSteps;

    private final Interruption interruption;

    private final boolean recovering;

    private int seq;

    private @Nullable Halt halt;

    private boolean cancelled;

    private long replayedTokens;

    private final @Nullable Fork fork;

    /** A fork's first step of its own and its overrides, applied to the journaled calls it makes from there. */
    record Fork(int fromStep, ForkOverrides overrides) {
    }

    /**
     * @param recovering whether the run takes the saga over from a run that did not bring it to rest (a
     *        crash, a takeover, a stop, an operator's retry), so that its replayed model calls count as saved
     */
    RunJournal(EngineServices services, Lease lease, String workflow, List<StepRecord> journal,
            Interruption interruption, boolean recovering) {
        this(services, lease, workflow, journal, interruption, recovering, null);
    }

    /** A run of a fork, when {@code fork} is not null. */
    RunJournal(EngineServices services, Lease lease, String workflow, List<StepRecord> journal,
            Interruption interruption, boolean recovering, @Nullable Fork fork) {
        this.fork = fork;
        this.services = services;
        this.lease = lease;
        this.sagaId = lease.sagaId();
        this.workflow = workflow;
        journal.forEach(step -> this.journal.put(step.seq(), step));
        this.journaledSteps = this.journal.isEmpty() ? 0 : this.journal.lastKey();
        this.interruption = interruption;
        this.recovering = recovering;
    }

    /**
     * Runs the step the workflow asks for next: answers it from the journal when it is recorded, else
     * runs it fresh, unless the saga is cancelled or the engine stopping.
     * @throws NonDeterminismException when the journal recorded another step at this sequence (the run halts)
     */
    <T> @Nullable T step(String name, StepKind kind, Replay<T> replay, Fresh<T> fresh) {
        checkNotHalted();
        int n = ++seq;
        StepRecord recorded = recordedAt(n, name, kind);
        if (recorded != null) {
            return replay.from(recorded);
        }
        beforeNewStep(n, name, kind);
        return fresh.run(n);
    }

    String sagaId() {
        return sagaId;
    }

    /** The journaled call as this run makes it at sequence {@code n}: with a fork's overrides from its fork step on. */
    <T> JournaledCall<T> asMadeAt(JournaledCall<T> call, int n) {
        return fork != null && n >= fork.fromStep() && fork.overrides().changesModelCalls()
                ? call.overridden(fork.overrides()) : call;
    }

    /** The entry the journal holds at {@code n} now. */
    StepRecord entry(int n) {
        StepRecord entry = journal.get(n);
        if (entry == null) {
            throw new IllegalStateException("saga " + sagaId + " holds no step " + n);
        }
        return entry;
    }

    /** Journals the step that starts a child and inserts the child, in one commit. */
    void startChild(StepRecord start, NewSaga child) {
        journaling(() -> services.store().startChild(new JournalWrite.AppendStep(lease, start), child));
        journaled(start);
    }

    /** Reads from the store for the workflow; a failure of the database stops the run, as a write's does. */
    @SuppressWarnings("unchecked")
    <T> T read(Supplier<T> query) {
        checkNotHalted();
        Object[] found = new Object[1];
        journaling(() -> {
            found[0] = query.get();
            return true;
        });
        return (T) found[0];
    }

    /** Parks the saga WAITING on its child {@code childId} (its entry {@code wait}) and stops the run. */
    void parkOnChild(StepRecord wait, String childId, Instant wakeAt) {
        if (interruption.cancelRequested()) {
            cancelled = true;
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled while about to wait for its child "
                    + childId, sagaId);
        }
        JournalWrite.StepWrite write = entry(wait);
        journaling(() -> services.store().parkOnChild(write, childId, wakeAt, services.now()));
        journaled(wait);
        halt = new Halt(Halt.Kind.PARKED, null, wait.seq());
        throw new Suspension("parked until child " + childId + " rests");
    }

    /** The recorded value of a finished entry, or its recorded failure thrown again. */
    <T> @Nullable T recorded(StepRecord recorded, Type type) {
        if (recorded.status() == StepStatus.FAILED) {
            throw failure(recorded);
        }
        return services.decode(recorded.output(), type, () -> "output of " + label(recorded.seq(), recorded.name()),
                sagaId, recorded.seq());
    }

    /** Runs new work as the step's attempts, told to the observers; see {@link StepExecutor#run}. */
    StepExecutor.Outcome execute(StepRecord step, ActionPolicy policy, int maxAttempts, boolean stopWhenAmbiguous,
            StepExecutor.Attempt work) {
        SagaObserver.StepEvent event = event(step);
        SagaObserver.StepObservation observation = services.observer().stepStarted(event);
        StepExecutor.Outcome outcome;
        // the step's own work is not the workflow's: nothing it calls journals into this saga
        try (SagaThreads.Scope unbound = SagaThreads.bind(null)) {
            outcome = services.executor().run(() -> label(step.seq(), step.name()), policy, maxAttempts,
                    stopWhenAmbiguous, work, (attempt, failure) -> services.observer().stepRetried(event, attempt,
                            failure));
        }
        catch (RuntimeException | Error ex) {
            observation.stop("failed", 0, ex);
            throw ex;
        }
        String result = outcome.succeeded() ? "succeeded" : outcome.ambiguous() ? "unknown" : "failed";
        observation.stop(result, outcome.attempts(), outcome.failure());
        return outcome;
    }

    /** Journals the outcome of executed work and returns its value, or throws its failure. */
    @Nullable Object record(StepRecord step, StepExecutor.Outcome outcome) {
        Instant finished = services.now();
        Throwable failure = outcome.failure();
        if (failure != null) {
            write(step.finished(StepStatus.FAILED, null, services.errorJson(failure), outcome.attempts(), finished));
            throw new StepFailedException(sagaId, step.seq(), step.name(), failure.getClass().getName(),
                    String.valueOf(failure.getMessage()), failure);
        }
        String output;
        try {
            output = services.encode(outcome.value(), () -> "output of " + label(step.seq(), step.name()), sagaId,
                    step.seq());
        }
        catch (PayloadException ex) {
            // the effect happened but cannot be recorded: an operator must fix the type or the limit, then retry
            throw attention(ex);
        }
        write(step.finished(StepStatus.SUCCEEDED, output, null, outcome.attempts(), finished));
        return outcome.value();
    }

    /** Journals an entry: appended when the journal does not hold its sequence yet, else its outcome rewritten. */
    void write(StepRecord step) {
        JournalWrite.StepWrite write = entry(step);
        journaling(() -> services.write(write));
        journaled(step);
    }

    @SuppressWarnings("unchecked")
    Optional<SignalRecord> findSignal(String name) {
        Optional<SignalRecord>[] found = new Optional[1];
        journaling(() -> {
            found[0] = services.store().findSignal(sagaId, name);
            return true;
        });
        return found[0];
    }

    /** Journals the wait for a signal as received and consumes the signal, in one commit. */
    void consumeSignal(SignalRecord signal, StepRecord received) {
        JournalWrite.StepWrite write = entry(received);
        journaling(() -> services.store().consumeSignal(signal.id(), write));
        journaled(received);
    }

    /** Parks the saga WAITING until {@code wakeAt} (or the awaited signal) and stops the run. */
    void park(StepRecord wait, Instant wakeAt, @Nullable String awaitedSignal) {
        if (interruption.cancelRequested()) {
            cancelled = true;
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled while about to wait", sagaId);
        }
        JournalWrite.StepWrite write = entry(wait);
        journaling(() -> services.store().park(write, wakeAt, services.now(), awaitedSignal));
        journaled(wait);
        halt = new Halt(Halt.Kind.PARKED, null, wait.seq());
        throw new Suspension("parked until " + wakeAt);
    }

    /**
     * Parks the saga WAITING until {@code until} on a model call its rate key's window had no room for, its entry
     * {@code wait} STARTED, and stops the run; the call is asked for again when the saga resumes.
     */
    void parkThrottled(StepRecord wait, String rateKey, Instant until) {
        services.observer().modelCallThrottled(event(wait), rateKey,
                Duration.between(services.now(), until));
        park(wait, until, null);
    }

    /** Counts the tokens of a model call answered from the journal: saved when the run recovers the saga. */
    void replayedTokens(StepRecord recorded) {
        int in = recorded.inputTokens() == null ? 0 : recorded.inputTokens();
        int out = recorded.outputTokens() == null ? 0 : recorded.outputTokens();
        replayedTokens += in + out;
        services.observer().modelTokens(event(recorded), in, out,
                recovering ? SagaObserver.TokenUse.SAVED : SagaObserver.TokenUse.REPLAYED);
    }

    /** Tells the observers the tokens a model call took. */
    void spentTokens(StepRecord step, int in, int out) {
        services.observer().modelTokens(event(step), in, out, SagaObserver.TokenUse.SPENT);
    }

    /** Model tokens answered from the journal in this run, not spent again. */
    long replayedTokens() {
        return replayedTokens;
    }

    /** Whether this run recovers the saga (see the constructor). */
    boolean recovering() {
        return recovering;
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

    /** Halts the run for an operator to decide, and returns the reason to throw. */
    RuntimeException attention(RuntimeException reason) {
        Integer step = reason instanceof AgentSagaException e ? e.step() : null;
        halt = new Halt(Halt.Kind.ATTENTION, reason.getMessage(), step);
        return reason;
    }

    /** The failure a FAILED step recorded, thrown again on replay. */
    StepFailedException failure(StepRecord recorded) {
        String[] error = services.readError(recorded.error());
        return new StepFailedException(sagaId, recorded.seq(), recorded.name(), error[0], error[1], null);
    }

    static String label(int n, String name) {
        return "step " + n + " (" + name + ")";
    }

    /**
     * The step recorded at {@code n}, or null when the workflow has gone past the journal.
     * @throws NonDeterminismException when the journal recorded another step there (the run halts)
     */
    private @Nullable StepRecord recordedAt(int n, String name, StepKind kind) {
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

    private void journaled(StepRecord step) {
        journal.put(step.seq(), step);
        services.observer().stepJournaled(event(step), step.status());
    }

    private JournalWrite.StepWrite entry(StepRecord step) {
        return journal.containsKey(step.seq()) ? new JournalWrite.UpdateStep(lease, step)
                : new JournalWrite.AppendStep(lease, step);
    }

    private SagaObserver.StepEvent event(StepRecord step) {
        return new SagaObserver.StepEvent(sagaId, workflow, step.seq(), step.name(), step.kind(),
                step.reversibility());
    }

    /**
     * Runs a fenced journal operation. A failure of the database is not a failure of the workflow: the
     * run stops and the saga is resumed later from what the journal holds, with the same idempotency
     * keys. A payload this engine has no key for (a signal's, say) is not one either: the run stops, the
     * saga goes to an operator. A lost lease stops the run without a trace: the engine that took the saga
     * over goes on.
     */
    private void journaling(BooleanSupplier operation) {
        boolean held;
        try {
            held = operation.getAsBoolean();
        }
        catch (EncryptionKeyException ex) {
            halt = new Halt(Halt.Kind.ATTENTION, ex.getMessage(), seq);
            throw new Suspension("a payload of the saga cannot be decrypted: " + ex.getMessage());
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
    private void beforeNewStep(int n, String name, StepKind kind) {
        if (interruption.stopping()) {
            halt = new Halt(Halt.Kind.RELEASED, "stopped before " + label(n, name) + ", " + kind
                    + ", which the journal does not hold", n);
            throw new Suspension("the engine is stopping");
        }
        if (interruption.cancelRequested()) {
            cancelled = true;
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled; let this exception propagate so "
                    + "the engine compensates the completed steps", sagaId);
        }
    }

    private void checkNotHalted() {
        if (halt != null) {
            throw new Suspension("the saga is halted: " + halt.kind());
        }
        if (cancelled) {
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled", sagaId);
        }
    }
}
