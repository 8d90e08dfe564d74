package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.DriftException;
import dev.agentsaga.DriftPolicy;
import dev.agentsaga.NonDeterminismException;
import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaCancelledException;
import dev.agentsaga.SagaStoreException;
import dev.agentsaga.SignalTimeoutException;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;

/**
 * The {@link Saga} a workflow talks to during one run: hands out sequence numbers, answers journaled
 * steps from the journal, executes and journals new ones, and remembers why the run had to stop.
 */
final class SagaContext implements Saga {

    /** Why a run stopped without a verdict of the workflow's own. */
    record Halt(Kind kind, @Nullable String error, @Nullable Integer step) {

        enum Kind {
            /** An operator must decide: the saga goes NEEDS_ATTENTION. */
            ATTENTION,
            /** The saga is parked WAITING (already written). */
            PARKED,
            /** The engine is stopping: the saga is released for recovery. */
            RELEASED,
            /** The journal could not be written: the saga is left for recovery, never compensated for it. */
            STORE_FAILED,
            /** Another engine took the saga over: this run abandons it without writing anything. */
            LEASE_LOST
        }
    }

    /** Whether the run should stop at the next new step. */
    interface Interruption {
        boolean cancelRequested();

        boolean stopping();
    }

    static final String RETRY = "RETRY";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SagaContext.class);

    private static final String RETRIED = "RETRIED";

    private final Engine engine;

    private final String sagaId;

    private final String workflow;

    private final Lease lease;

    private final TreeMap<Integer, StepRecord> journal = new TreeMap<>();

    private final int journaledSteps;

    private final Interruption interruption;

    private int seq;

    private @Nullable Halt halt;

    private boolean cancelled;

    private long replayedTokens;

    SagaContext(Engine engine, Lease lease, String workflow, List<StepRecord> journal, Interruption interruption) {
        this.engine = engine;
        this.lease = lease;
        this.sagaId = lease.sagaId();
        this.workflow = workflow;
        journal.forEach(step -> this.journal.put(step.seq(), step));
        this.journaledSteps = this.journal.isEmpty() ? 0 : this.journal.lastKey();
        this.interruption = interruption;
    }

    @Override
    public String id() {
        return sagaId;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> O step(SagaAction<I, O> action, I input) {
        Objects.requireNonNull(action, "action must not be null");
        checkNotHalted();
        Registry.ActionEntry entry = engine.registry().action(action);
        int n = ++seq;
        StepRecord recorded = journaled(n, entry.name(), StepKind.ACTION);
        if (recorded != null) {
            switch (recorded.status()) {
                case STARTED -> {
                    if (!RETRY.equals(recorded.resolution())) {
                        throw inDoubt(recorded);
                    }
                    return (O) runIrreversible(entry, input, recorded.input(), n, recorded);
                }
                case FAILED -> throw failure(recorded);
                default -> {
                    return (O) engine.decode(recorded.output(), entry.outputType(), "output of " + label(n, entry.name()),
                            sagaId, n);
                }
            }
        }
        beforeNewStep();
        String inputJson = engine.encode(input, "input of " + label(n, entry.name()), sagaId, n);
        if (entry.reversibility() == Reversibility.IRREVERSIBLE) {
            return (O) runIrreversible(entry, input, inputJson, n, null);
        }
        Instant started = engine.now();
        ActionPolicy policy = entry.policy();
        SagaObserver.StepEvent event = event(n, entry.name(), StepKind.ACTION, entry.reversibility());
        StepExecutor.Outcome outcome = observed(event, () -> engine.executor().run(label(n, entry.name()), policy,
                policy.maxAttempts(), false,
                attempt -> entry.action().execute(input, new StepContext(sagaId, n, attempt, false)),
                (attempt, failure) -> engine.observer().stepRetried(event, attempt, failure)));
        return (O) record(StepRecord.of(sagaId, n, entry.name(), StepKind.ACTION, entry.reversibility(),
                StepStatus.SUCCEEDED, inputJson, null, null, outcome.attempts(), started, null), outcome, true);
    }

    @Override
    public <T> T call(String name, Class<T> type, Callable<T> work) {
        requireName(name);
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(work, "work must not be null");
        checkNotHalted();
        int n = ++seq;
        StepRecord recorded = journaled(n, name, StepKind.CALL);
        if (recorded != null) {
            if (recorded.status() == StepStatus.FAILED) {
                throw failure(recorded);
            }
            return engine.decode(recorded.output(), type, "result of " + label(n, name), sagaId, n);
        }
        beforeNewStep();
        Instant started = engine.now();
        StepExecutor.Outcome outcome = observed(event(n, name, StepKind.CALL, null), () -> engine.executor()
                .run(label(n, name), ActionPolicy.noRetries(), 1, false, attempt -> work.call(),
                        StepExecutor.RetryListener.NONE));
        return type.cast(record(StepRecord.of(sagaId, n, name, StepKind.CALL, null, StepStatus.SUCCEEDED, null, null,
                null, outcome.attempts(), started, null), outcome, true));
    }

    @Override
    public <T> T journal(JournaledCall<T> call) {
        Objects.requireNonNull(call, "call must not be null");
        checkNotHalted();
        int n = ++seq;
        StepRecord recorded = journaled(n, call.name(), call.kind());
        Map<String, String> fingerprint = new TreeMap<>(call.fingerprint());
        String fingerprintJson = engine.codec().encode(fingerprint);
        if (recorded != null && recorded.status() == StepStatus.FAILED) {
            throw failure(recorded);
        }
        if (recorded != null && recorded.status() != StepStatus.STARTED) {
            List<String> changed = changedParts(recorded.fingerprint(), fingerprint);
            DriftPolicy policy = engine.settings().driftPolicy();
            if (changed.isEmpty() || policy == DriftPolicy.REPLAY) {
                if (!changed.isEmpty()) {
                    log.warn("Step {} ({}) of saga {}: the request changed since it was recorded ({}); replaying the "
                            + "recorded response as the drift policy says", n, call.name(), sagaId, changed);
                }
                return replay(call, recorded);
            }
            if (policy == DriftPolicy.REEXECUTE && !worldChangedAfter(n)) {
                return executeJournaled(call, n, fingerprintJson, false);
            }
            throw attention(new DriftException("Drift in saga " + sagaId + " at step " + n + " (" + call.name()
                    + "): the request changed since it was recorded (" + String.join(", ", changed) + "). The drift "
                    + "policy is " + policy + (policy == DriftPolicy.REEXECUTE ? ", but a COMPENSABLE or IRREVERSIBLE "
                    + "step came after this call" : "") + ": restore the previous request, or resume with the drift "
                    + "policy REPLAY, then retry the saga", sagaId, n));
        }
        beforeNewStep();
        return executeJournaled(call, n, fingerprintJson, recorded == null);
    }

    @Override
    public Instant now() {
        return journaledValue("now", StepKind.NOW, Instant.class, engine::now);
    }

    @Override
    public UUID randomUuid() {
        return journaledValue("randomUuid", StepKind.UUID, UUID.class, UUID::randomUUID);
    }

    @Override
    public void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration must not be null");
        checkNotHalted();
        int n = ++seq;
        StepRecord recorded = journaled(n, "sleep", StepKind.SLEEP);
        if (recorded != null && recorded.status() != StepStatus.STARTED) {
            return;
        }
        StepRecord wait = recorded;
        if (wait == null) {
            beforeNewStep();
            Instant now = engine.now();
            Instant wakeAt = now.plus(duration.isNegative() ? Duration.ZERO : duration);
            wait = StepRecord.of(sagaId, n, "sleep", StepKind.SLEEP, null, StepStatus.STARTED,
                    engine.encode(wakeAt, "wake time", sagaId, n), null, null, 1, now, null);
        }
        Instant wakeAt = engine.decode(wait.input(), Instant.class, "wake time of " + label(n, "sleep"), sagaId, n);
        Instant now = engine.now();
        if (!now.isBefore(wakeAt)) {
            write(wait.finished(StepStatus.SUCCEEDED, null, null, 1, now), recorded == null);
            return;
        }
        park(wait, recorded == null, wakeAt, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T awaitSignal(String name, Class<T> type, Duration timeout) {
        requireName(name);
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        checkNotHalted();
        int n = ++seq;
        StepRecord recorded = journaled(n, name, StepKind.SIGNAL);
        if (recorded != null && recorded.status() == StepStatus.SUCCEEDED) {
            return engine.decode(recorded.output(), type, "signal of " + label(n, name), sagaId, n);
        }
        if (recorded != null && recorded.status() == StepStatus.FAILED) {
            throw signalTimeout(n, name);
        }
        StepRecord wait = recorded;
        if (wait == null) {
            beforeNewStep();
            Instant now = engine.now();
            wait = StepRecord.of(sagaId, n, name, StepKind.SIGNAL, null, StepStatus.STARTED,
                    engine.encode(now.plus(timeout), "signal deadline", sagaId, n), null, null, 1, now, null);
        }
        boolean insert = recorded == null;
        Optional<SignalRecord>[] found = new Optional[1];
        journaling(() -> {
            found[0] = engine.store().findSignal(sagaId, name);
            return true;
        });
        Optional<SignalRecord> signal = found[0];
        Instant now = engine.now();
        if (signal.isPresent()) {
            StepRecord received = wait.finished(StepStatus.SUCCEEDED, signal.get().payload(), null, 1, now);
            journaling(() -> engine.store().consumeSignal(lease, signal.get().id(), received, insert));
            journal.put(n, received);
            return engine.decode(received.output(), type, "signal of " + label(n, name), sagaId, n);
        }
        Instant deadline = engine.decode(wait.input(), Instant.class, "deadline of " + label(n, name), sagaId, n);
        if (!now.isBefore(deadline)) {
            SignalTimeoutException timedOut = signalTimeout(n, name);
            write(wait.finished(StepStatus.FAILED, null, engine.errorJson(timedOut), 1, now), insert);
            throw timedOut;
        }
        park(wait, insert, deadline, name);
        throw new IllegalStateException("unreachable");
    }

    /** Model tokens answered from the journal in this run, not spent again. */
    long replayedTokens() {
        return replayedTokens;
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
    List<StepRecord> journal() {
        return new ArrayList<>(journal.values());
    }

    private <T> T replay(JournaledCall<T> call, StepRecord recorded) {
        int in = recorded.inputTokens() == null ? 0 : recorded.inputTokens();
        int out = recorded.outputTokens() == null ? 0 : recorded.outputTokens();
        replayedTokens += in + out;
        engine.observer().modelTokens(event(recorded.seq(), call.name(), call.kind(), null), in, out, true);
        T value = engine.decode(recorded.output(), call.type(), "result of " + label(recorded.seq(), call.name()),
                sagaId, recorded.seq());
        return value;
    }

    private <T> T executeJournaled(JournaledCall<T> call, int n, String fingerprintJson, boolean insert) {
        Instant started = engine.now();
        SagaObserver.StepEvent event = event(n, call.name(), call.kind(), null);
        ActionPolicy policy = engine.settings().defaultPolicy();
        StepExecutor.Outcome outcome = observed(event, () -> engine.executor().run(label(n, call.name()), policy,
                policy.maxAttempts(), false, attempt -> call.execute(),
                (attempt, failure) -> engine.observer().stepRetried(event, attempt, failure)));
        StepRecord step = StepRecord.of(sagaId, n, call.name(), call.kind(), null, StepStatus.SUCCEEDED, null, null,
                null, outcome.attempts(), started, null);
        if (!outcome.succeeded()) {
            record(step.withCall(fingerprintJson, null, null), outcome, insert);
        }
        T value = call.type().cast(outcome.value());
        int[] tokens = value == null ? null : call.tokens(value);
        Integer in = tokens == null ? null : tokens[0];
        Integer out = tokens == null ? null : tokens[1];
        record(step.withCall(fingerprintJson, in, out), outcome, insert);
        engine.observer().modelTokens(event, in == null ? 0 : in, out == null ? 0 : out, false);
        return value;
    }

    /** The parts of the request whose hashes differ from the recorded ones (none when nothing was recorded). */
    private List<String> changedParts(@Nullable String recordedJson, Map<String, String> now) {
        if (recordedJson == null) {
            return List.of();
        }
        Map<?, ?> recorded = engine.codec().decode(recordedJson, Map.class);
        java.util.Set<String> parts = new java.util.TreeSet<>(now.keySet());
        recorded.keySet().forEach(key -> parts.add(String.valueOf(key)));
        return parts.stream().filter(part -> !Objects.equals(String.valueOf(recorded.get(part)),
                String.valueOf(now.get(part)))).toList();
    }

    /** Whether a step after {@code n} changed the world (a COMPENSABLE or IRREVERSIBLE action). */
    private boolean worldChangedAfter(int n) {
        return journal.tailMap(n, false).values().stream().anyMatch(step -> step.kind() == StepKind.ACTION
                && step.reversibility() != Reversibility.READ_ONLY);
    }

    private <T> T journaledValue(String name, StepKind kind, Class<T> type, Callable<T> source) {
        checkNotHalted();
        int n = ++seq;
        StepRecord recorded = journaled(n, name, kind);
        if (recorded != null) {
            return engine.decode(recorded.output(), type, "value of " + label(n, name), sagaId, n);
        }
        beforeNewStep();
        Instant now = engine.now();
        T value;
        try {
            value = source.call();
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        write(StepRecord.of(sagaId, n, name, kind, null, StepStatus.SUCCEEDED, null,
                engine.encode(value, "value of " + label(n, name), sagaId, n), null, 1, now, now), true);
        return value;
    }

    private @Nullable Object runIrreversible(Registry.ActionEntry entry, Object input, @Nullable String inputJson, int n,
            @Nullable StepRecord retried) {
        Instant started = engine.now();
        StepRecord intent;
        if (retried == null) {
            intent = StepRecord.of(sagaId, n, entry.name(), StepKind.ACTION, Reversibility.IRREVERSIBLE,
                    StepStatus.STARTED, inputJson, null, null, 1, started, null);
            write(intent, true);
        }
        else {
            // from here a crash leaves the step in doubt again, as it is
            intent = retried.finished(StepStatus.STARTED, null, null, retried.attempts() + 1, null)
                    .resolved(RETRIED, retried.note());
            write(intent, false);
        }
        StepExecutor.Outcome outcome = observed(event(n, entry.name(), StepKind.ACTION, Reversibility.IRREVERSIBLE),
                () -> engine.executor().run(label(n, entry.name()), entry.policy(), 1, true,
                        attempt -> entry.action().execute(input, new StepContext(sagaId, n, intent.attempts(), false)),
                        StepExecutor.RetryListener.NONE));
        if (outcome.ambiguous()) {
            write(intent.finished(StepStatus.STARTED, null, engine.errorJson(outcome.failure()), intent.attempts(), null),
                    false);
            throw attention(new OutcomeUnknownException(label(n, entry.name()) + " is IRREVERSIBLE and its outcome is "
                    + "unknown (" + outcome.failure().getMessage() + "). Find out whether it happened, then resolve the "
                    + "saga: Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()", sagaId, n,
                    outcome.failure()));
        }
        StepExecutor.Outcome counted = new StepExecutor.Outcome(outcome.value(), outcome.failure(), intent.attempts(),
                false);
        return record(intent, counted, false);
    }

    private SagaObserver.StepEvent event(int n, String name, StepKind kind, @Nullable Reversibility reversibility) {
        return new SagaObserver.StepEvent(sagaId, workflow, n, name, kind, reversibility);
    }

    private StepExecutor.Outcome observed(SagaObserver.StepEvent event, Supplier<StepExecutor.Outcome> execution) {
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
    private @Nullable Object record(StepRecord step, StepExecutor.Outcome outcome, boolean insert) {
        Instant finished = engine.now();
        if (!outcome.succeeded()) {
            write(step.finished(StepStatus.FAILED, null, engine.errorJson(outcome.failure()), outcome.attempts(),
                    finished), insert);
            throw new StepFailedException(sagaId, step.seq(), step.name(), outcome.failure().getClass().getName(),
                    String.valueOf(outcome.failure().getMessage()), outcome.failure());
        }
        String output;
        try {
            output = engine.encode(outcome.value(), "output of " + label(step.seq(), step.name()), sagaId, step.seq());
        }
        catch (PayloadException ex) {
            // the effect happened but cannot be recorded: an operator must fix the type or the limit, then retry
            throw attention(ex);
        }
        write(step.finished(StepStatus.SUCCEEDED, output, null, outcome.attempts(), finished), insert);
        return outcome.value();
    }

    private void write(StepRecord step, boolean insert) {
        journaling(() -> engine.write(insert ? new JournalWrite.AppendStep(lease, step)
                : new JournalWrite.UpdateStep(lease, step)));
        journal.put(step.seq(), step);
    }

    /**
     * Runs a fenced journal operation. A failure of the database is not a failure of the workflow: the
     * run stops and the saga is resumed later from what the journal holds, with the same idempotency
     * keys. A lost lease stops the run without a trace: the engine that took the saga over goes on.
     */
    private void journaling(java.util.function.BooleanSupplier operation) {
        boolean held;
        try {
            held = operation.getAsBoolean();
        }
        catch (SagaStoreException ex) {
            halt = new Halt(Halt.Kind.STORE_FAILED, ex.getMessage(), null);
            throw new Suspension("the journal could not be written: " + ex.getMessage());
        }
        if (!held) {
            halt = new Halt(Halt.Kind.LEASE_LOST, "another engine took saga " + sagaId + " over at step " + seq, seq);
            throw new Suspension("the lease on saga " + sagaId + " was lost");
        }
    }

    private void park(StepRecord wait, boolean insert, Instant wakeAt, @Nullable String awaitedSignal) {
        if (interruption.cancelRequested()) {
            cancelled = true;
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled while about to wait", sagaId);
        }
        journaling(() -> engine.store().park(lease, wait, insert, wakeAt, engine.now(), awaitedSignal));
        journal.put(wait.seq(), wait);
        halt = new Halt(Halt.Kind.PARKED, null, wait.seq());
        throw new Suspension("parked until " + wakeAt);
    }

    private @Nullable StepRecord journaled(int n, String name, StepKind kind) {
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

    private void beforeNewStep() {
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

    private void checkNotHalted() {
        if (halt != null) {
            throw new Suspension("the saga is halted: " + halt.kind());
        }
        if (cancelled) {
            throw new SagaCancelledException("Saga " + sagaId + " was cancelled", sagaId);
        }
    }

    private RuntimeException inDoubt(StepRecord intent) {
        String[] error = engine.readError(intent.error());
        String why = intent.error() == null ? "the engine stopped between its intent and its result"
                : "its outcome is unknown (" + error[1] + ")";
        return attention(new OutcomeUnknownException(label(intent.seq(), intent.name()) + " is IRREVERSIBLE and " + why
                + ", so it may or may not have happened. Find out, then resolve the saga: "
                + "Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()", sagaId,
                intent.seq(), null));
    }

    private RuntimeException attention(RuntimeException reason) {
        Integer step = reason instanceof dev.agentsaga.AgentSagaException e ? e.step() : null;
        halt = new Halt(Halt.Kind.ATTENTION, reason.getMessage(), step);
        return reason;
    }

    private StepFailedException failure(StepRecord recorded) {
        String[] error = engine.readError(recorded.error());
        return new StepFailedException(sagaId, recorded.seq(), recorded.name(), error[0], error[1], null);
    }

    private SignalTimeoutException signalTimeout(int n, String name) {
        return new SignalTimeoutException("No signal '" + name + "' arrived for saga " + sagaId + " in time (step " + n
                + ")", sagaId, n, null);
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
    }

    private static String label(int n, String name) {
        return "step " + n + " (" + name + ")";
    }
}
