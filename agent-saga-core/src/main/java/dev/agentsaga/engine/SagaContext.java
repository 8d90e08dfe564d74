package dev.agentsaga.engine;

import static dev.agentsaga.engine.RunJournal.label;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SignalTimeoutException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;

/**
 * The {@link Saga} a workflow talks to during one run: runs actions, IRREVERSIBLE ones with their intent
 * journaled first, and durable waits on timers and signals; calls and journaled values go to
 * {@link JournaledCalls}. The journal itself, its sequence numbers, fenced writes and the reason the run
 * had to stop, is {@link RunJournal}'s.
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

    private static final String RETRIED = "RETRIED";

    private final Engine engine;

    private final String sagaId;

    private final RunJournal run;

    private final JournaledCalls calls;

    SagaContext(Engine engine, Lease lease, String workflow, List<StepRecord> journal, Interruption interruption) {
        this.engine = engine;
        this.sagaId = lease.sagaId();
        this.run = new RunJournal(engine, lease, workflow, journal, interruption);
        this.calls = new JournaledCalls(engine, sagaId, run);
    }

    @Override
    public String id() {
        return sagaId;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> O step(SagaAction<I, O> action, I input) {
        Objects.requireNonNull(action, "action must not be null");
        run.checkNotHalted();
        Registry.ActionEntry entry = engine.registry().action(action);
        int n = run.nextSeq();
        StepRecord recorded = run.journaled(n, entry.name(), StepKind.ACTION);
        if (recorded != null) {
            switch (recorded.status()) {
                case STARTED -> {
                    if (!RETRY.equals(recorded.resolution())) {
                        throw inDoubt(recorded);
                    }
                    return (O) runIrreversible(entry, input, recorded.input(), n, recorded);
                }
                case FAILED -> throw run.failure(recorded);
                default -> {
                    return (O) engine.decode(recorded.output(), entry.outputType(),
                            () -> "output of " + label(n, entry.name()), sagaId, n);
                }
            }
        }
        run.beforeNewStep();
        String inputJson = engine.encode(input, () -> "input of " + label(n, entry.name()), sagaId, n);
        if (entry.reversibility() == Reversibility.IRREVERSIBLE) {
            return (O) runIrreversible(entry, input, inputJson, n, null);
        }
        Instant started = engine.now();
        ActionPolicy policy = entry.policy();
        SagaObserver.StepEvent event = run.event(n, entry.name(), StepKind.ACTION, entry.reversibility());
        StepExecutor.Outcome outcome = run.observed(event, () -> engine.executor().run(() -> label(n, entry.name()),
                policy, policy.maxAttempts(), false,
                attempt -> entry.action().execute(input, new StepContext(sagaId, n, attempt, false)),
                (attempt, failure) -> engine.observer().stepRetried(event, attempt, failure)));
        return (O) run.record(StepRecord.of(sagaId, n, entry.name(), StepKind.ACTION, entry.reversibility(),
                StepStatus.SUCCEEDED, inputJson, null, null, outcome.attempts(), started, null), outcome, true);
    }

    @Override
    public <T> T call(String name, Class<T> type, Callable<T> work) {
        requireName(name);
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(work, "work must not be null");
        return calls.call(name, type, work);
    }

    @Override
    public <T> T journal(JournaledCall<T> call) {
        Objects.requireNonNull(call, "call must not be null");
        return calls.journal(call);
    }

    @Override
    public Instant now() {
        return calls.journaledValue("now", StepKind.NOW, Instant.class, engine::now);
    }

    @Override
    public UUID randomUuid() {
        return calls.journaledValue("randomUuid", StepKind.UUID, UUID.class, UUID::randomUUID);
    }

    @Override
    public void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration must not be null");
        run.checkNotHalted();
        int n = run.nextSeq();
        StepRecord recorded = run.journaled(n, "sleep", StepKind.SLEEP);
        if (recorded != null && recorded.status() != StepStatus.STARTED) {
            return;
        }
        StepRecord wait = recorded;
        if (wait == null) {
            run.beforeNewStep();
            Instant now = engine.now();
            Instant wakeAt = now.plus(duration.isNegative() ? Duration.ZERO : duration);
            wait = StepRecord.of(sagaId, n, "sleep", StepKind.SLEEP, null, StepStatus.STARTED,
                    engine.encode(wakeAt, () -> "wake time", sagaId, n), null, null, 1, now, null);
        }
        Instant wakeAt = engine.decode(wait.input(), Instant.class, () -> "wake time of " + label(n, "sleep"), sagaId,
                n);
        Instant now = engine.now();
        if (!now.isBefore(wakeAt)) {
            run.write(wait.finished(StepStatus.SUCCEEDED, null, null, 1, now), recorded == null);
            return;
        }
        run.park(wait, recorded == null, wakeAt, null);
    }

    @Override
    public <T> T awaitSignal(String name, Class<T> type, Duration timeout) {
        requireName(name);
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        run.checkNotHalted();
        int n = run.nextSeq();
        StepRecord recorded = run.journaled(n, name, StepKind.SIGNAL);
        if (recorded != null && recorded.status() == StepStatus.SUCCEEDED) {
            return engine.decode(recorded.output(), type, () -> "signal of " + label(n, name), sagaId, n);
        }
        if (recorded != null && recorded.status() == StepStatus.FAILED) {
            throw signalTimeout(n, name);
        }
        StepRecord wait = recorded;
        if (wait == null) {
            run.beforeNewStep();
            Instant now = engine.now();
            wait = StepRecord.of(sagaId, n, name, StepKind.SIGNAL, null, StepStatus.STARTED,
                    engine.encode(now.plus(timeout), () -> "signal deadline", sagaId, n), null, null, 1, now, null);
        }
        boolean insert = recorded == null;
        Optional<SignalRecord> signal = run.findSignal(name);
        Instant now = engine.now();
        if (signal.isPresent()) {
            StepRecord received = wait.finished(StepStatus.SUCCEEDED, signal.get().payload(), null, 1, now);
            run.consumeSignal(signal.get(), received, insert);
            return engine.decode(received.output(), type, () -> "signal of " + label(n, name), sagaId, n);
        }
        Instant deadline = engine.decode(wait.input(), Instant.class, () -> "deadline of " + label(n, name), sagaId, n);
        if (!now.isBefore(deadline)) {
            SignalTimeoutException timedOut = signalTimeout(n, name);
            run.write(wait.finished(StepStatus.FAILED, null, engine.errorJson(timedOut), 1, now), insert);
            throw timedOut;
        }
        run.park(wait, insert, deadline, name);
        throw new IllegalStateException("unreachable");
    }

    /** Model tokens answered from the journal in this run, not spent again. */
    long replayedTokens() {
        return calls.replayedTokens();
    }

    /** Why the run stopped without a verdict of the workflow's own, if it did. */
    @Nullable Halt halt() {
        return run.halt();
    }

    /** Whether the workflow was told it is cancelled. */
    boolean cancelled() {
        return run.cancelled();
    }

    /** Whether the journal holds steps the workflow did not ask for in this run. */
    boolean leftStepsUnvisited() {
        return run.leftStepsUnvisited();
    }

    int lastSeq() {
        return run.lastSeq();
    }

    int journaledSteps() {
        return run.journaledSteps();
    }

    /** The journal as it stands after this run, in sequence order. */
    List<StepRecord> journal() {
        return run.steps();
    }

    private @Nullable Object runIrreversible(Registry.ActionEntry entry, Object input, @Nullable String inputJson, int n,
            @Nullable StepRecord retried) {
        Instant started = engine.now();
        StepRecord intent;
        if (retried == null) {
            intent = StepRecord.of(sagaId, n, entry.name(), StepKind.ACTION, Reversibility.IRREVERSIBLE,
                    StepStatus.STARTED, inputJson, null, null, 1, started, null);
            run.write(intent, true);
        }
        else {
            // from here a crash leaves the step in doubt again, as it is
            intent = retried.finished(StepStatus.STARTED, null, null, retried.attempts() + 1, null)
                    .resolved(RETRIED, retried.note());
            run.write(intent, false);
        }
        SagaObserver.StepEvent event = run.event(n, entry.name(), StepKind.ACTION, Reversibility.IRREVERSIBLE);
        StepExecutor.Outcome outcome = run.observed(event, () -> engine.executor().run(() -> label(n, entry.name()),
                entry.policy(), 1, true,
                attempt -> entry.action().execute(input, new StepContext(sagaId, n, intent.attempts(), false)),
                StepExecutor.RetryListener.NONE));
        if (outcome.ambiguous()) {
            run.write(intent.finished(StepStatus.STARTED, null, engine.errorJson(outcome.failure()), intent.attempts(),
                    null), false);
            throw run.attention(new OutcomeUnknownException(label(n, entry.name()) + " is IRREVERSIBLE and its outcome "
                    + "is unknown (" + outcome.failure().getMessage() + "). Find out whether it happened, then resolve "
                    + "the saga: Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()",
                    sagaId, n, outcome.failure()));
        }
        StepExecutor.Outcome counted = new StepExecutor.Outcome(outcome.value(), outcome.failure(), intent.attempts(),
                false);
        return run.record(intent, counted, false);
    }

    private RuntimeException inDoubt(StepRecord intent) {
        String[] error = engine.readError(intent.error());
        String why = intent.error() == null ? "the engine stopped between its intent and its result"
                : "its outcome is unknown (" + error[1] + ")";
        return run.attention(new OutcomeUnknownException(label(intent.seq(), intent.name()) + " is IRREVERSIBLE and "
                + why + ", so it may or may not have happened. Find out, then resolve the saga: "
                + "Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()", sagaId,
                intent.seq(), null));
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
}
