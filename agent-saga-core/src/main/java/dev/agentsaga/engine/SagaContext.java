package dev.agentsaga.engine;

import static dev.agentsaga.engine.RunJournal.label;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaChild;
import dev.agentsaga.SignalTimeoutException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.SagaThreads;
import dev.agentsaga.spi.SignalRecord;
import dev.agentsaga.spi.StepRecord;

/**
 * The {@link Saga} a workflow talks to during one run. Each method is one kind of step on the skeleton
 * of {@link RunJournal#step}, saying only what differs: what a recorded entry answers and how a new
 * step runs. An IRREVERSIBLE action journals its intent first, is never retried, and is in doubt when
 * its outcome is unknown. Journaled calls, with their drift checks, are {@link JournaledCallStep}'s.
 */
final class SagaContext implements Saga {

    /** The resolution that lets an in-doubt IRREVERSIBLE step run once more. */
    static final String RETRY = "RETRY";

    private static final String RETRIED = "RETRIED";

    private final EngineServices services;

    private final RunJournal run;

    private final JournaledCallStep journaledCalls;

    private final ChildStep children;

    SagaContext(EngineServices services, RunJournal run) {
        this.services = services;
        this.run = run;
        this.journaledCalls = new JournaledCallStep(services, run);
        this.children = new ChildStep(services, run);
    }

    /** What a workflow's code came to in one run: its output, or what it threw. */
    record Verdict(@Nullable Object output, @Nullable Throwable failure) {
    }

    /**
     * Runs the workflow's code once against the run's journal, with the saga bound to the thread while it
     * runs ({@link Saga#current()}); errors of the JVM pass through.
     */
    static Verdict run(EngineServices services, RunJournal run, Registry.WorkflowEntry workflow,
            @Nullable Object input) {
        SagaContext saga = new SagaContext(services, run);
        try (SagaThreads.Scope bound = SagaThreads.bind(saga)) {
            return new Verdict(workflow.workflow().run(input, saga), null);
        }
        catch (VirtualMachineError error) {
            throw error;
        }
        catch (Throwable ex) {
            return new Verdict(null, ex);
        }
    }

    @Override
    public String id() {
        return run.sagaId();
    }

    @Override
    // the journal gives back what the action returned: null only where O admits it
    @SuppressWarnings({ "unchecked", "NullAway" })
    public <I extends @Nullable Object, O extends @Nullable Object> O step(SagaAction<I, O> action, I input) {
        Objects.requireNonNull(action, "action must not be null");
        Registry.ActionEntry entry = services.registry().action(action);
        return (O) run.step(entry.name(), StepKind.ACTION, recorded -> replayAction(entry, input, recorded),
                n -> executeAction(entry, input, n));
    }

    @Override
    public <T> @Nullable T call(String name, Class<T> type, Callable<? extends @Nullable T> work) {
        requireName(name);
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(work, "work must not be null");
        return run.step(name, StepKind.CALL, recorded -> run.recorded(recorded, type), n -> {
            StepRecord step = StepRecord.of(run.sagaId(), n, name, StepKind.CALL, null, StepStatus.STARTED, null, null,
                    null, 1, services.now(), null);
            return type.cast(run.record(step, run.execute(step, ActionPolicy.noRetries(), 1, false,
                    attempt -> work.call())));
        });
    }

    @Override
    public <I extends @Nullable Object, O extends @Nullable Object> SagaChild<O> startChild(
            AgentWorkflow<I, O> workflow, I input) {
        Objects.requireNonNull(workflow, "workflow must not be null");
        Registry.WorkflowEntry entry = services.registry().workflow(workflow);
        return children.start(entry, input, entry.outputType());
    }

    @Override
    public <T> SagaChild<T> startChild(String workflow, @Nullable Object input, Class<T> outputType) {
        requireName(workflow);
        Objects.requireNonNull(outputType, "outputType must not be null");
        return children.start(services.registry().workflow(workflow), input, outputType);
    }

    @Override
    public <T> @Nullable T journal(JournaledCall<T> call) {
        Objects.requireNonNull(call, "call must not be null");
        return journaledCalls.run(call);
    }

    @Override
    public Instant now() {
        return value("now", StepKind.NOW, Instant.class, services::now);
    }

    @Override
    public UUID randomUuid() {
        return value("randomUuid", StepKind.UUID, UUID.class, UUID::randomUUID);
    }

    @Override
    public void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration must not be null");
        run.step("sleep", StepKind.SLEEP,
                recorded -> recorded.status() == StepStatus.STARTED ? sleepUntilDue(recorded) : null,
                n -> sleepUntilDue(newWait(n, "sleep", StepKind.SLEEP, duration.isNegative() ? Duration.ZERO
                        : duration)));
    }

    @Override
    public <T> @Nullable T awaitSignal(String name, Class<T> type, Duration timeout) {
        requireName(name);
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        return run.step(name, StepKind.SIGNAL, recorded -> switch (recorded.status()) {
            case SUCCEEDED -> services.decode(recorded.output(), type, () -> "signal of " + label(recorded.seq(),
                    name), run.sagaId(), recorded.seq());
            case FAILED -> throw signalTimeout(recorded.seq(), name);
            default -> awaitSignal(recorded, type);
        }, n -> awaitSignal(newWait(n, name, StepKind.SIGNAL, timeout), type));
    }

    private @Nullable Object replayAction(Registry.ActionEntry entry, @Nullable Object input, StepRecord recorded) {
        if (recorded.status() != StepStatus.STARTED) {
            return run.recorded(recorded, entry.outputType());
        }
        if (!RETRY.equals(recorded.resolution())) {
            throw inDoubt(recorded);
        }
        // from here a crash leaves the step in doubt again, as it is
        StepRecord intent = recorded.finished(StepStatus.STARTED, null, null, recorded.attempts() + 1, null)
                .resolved(RETRIED, recorded.note());
        run.write(intent);
        return runIrreversible(entry, input, intent);
    }

    private @Nullable Object executeAction(Registry.ActionEntry entry, @Nullable Object input, int n) {
        String inputJson = services.encode(input, () -> "input of " + label(n, entry.name()), run.sagaId(), n);
        StepRecord step = StepRecord.of(run.sagaId(), n, entry.name(), StepKind.ACTION, entry.reversibility(),
                StepStatus.STARTED, inputJson, null, null, 1, services.now(), null);
        if (entry.reversibility() == Reversibility.IRREVERSIBLE) {
            run.write(step);
            return runIrreversible(entry, input, step);
        }
        return run.record(step, run.execute(step, entry.policy(), entry.policy().maxAttempts(), false,
                attempt -> entry.action().execute(input, new StepContext(run.sagaId(), n, attempt, false))));
    }

    /** Runs a journaled intent once: a definite result is recorded, an unknown one leaves it in doubt. */
    private @Nullable Object runIrreversible(Registry.ActionEntry entry, @Nullable Object input, StepRecord intent) {
        int n = intent.seq();
        StepExecutor.Outcome outcome = run.execute(intent, entry.policy(), 1, true,
                attempt -> entry.action().execute(input, new StepContext(run.sagaId(), n, intent.attempts(), false)));
        Throwable failure = outcome.failure();
        if (outcome.ambiguous() && failure != null) {
            run.write(intent.finished(StepStatus.STARTED, null, services.errorJson(failure), intent.attempts(), null));
            throw run.attention(new OutcomeUnknownException(label(n, entry.name()) + " is IRREVERSIBLE and its "
                    + "outcome is unknown (" + failure.getMessage() + "). Find out whether it happened, then resolve "
                    + "the saga: Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()",
                    run.sagaId(), n, failure));
        }
        return run.record(intent, new StepExecutor.Outcome(outcome.value(), failure, intent.attempts(), false));
    }

    private RuntimeException inDoubt(StepRecord intent) {
        String why = intent.error() == null ? "the engine stopped between its intent and its result"
                : "its outcome is unknown (" + services.readError(intent.error())[1] + ")";
        return run.attention(new OutcomeUnknownException(label(intent.seq(), intent.name()) + " is IRREVERSIBLE and "
                + why + ", so it may or may not have happened. Find out, then resolve the saga: "
                + "Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()", run.sagaId(),
                intent.seq(), null));
    }

    /** A value taken once from {@code source} and answered from the journal ever after. */
    private <T> T value(String name, StepKind kind, Class<T> type, Supplier<T> source) {
        T result = run.step(name, kind, recorded -> run.recorded(recorded, type), n -> {
            Instant now = services.now();
            T value = source.get();
            run.write(StepRecord.of(run.sagaId(), n, name, kind, null, StepStatus.SUCCEEDED, null,
                    services.encode(value, () -> "value of " + label(n, name), run.sagaId(), n), null, 1, now, now));
            return value;
        });
        return Objects.requireNonNull(result,
                () -> "a " + name + " step of saga " + run.sagaId() + " recorded no value");
    }

    /** A new wait's entry: STARTED, its input the instant the wait ends. */
    private StepRecord newWait(int n, String name, StepKind kind, Duration duration) {
        Instant now = services.now();
        return StepRecord.of(run.sagaId(), n, name, kind, null, StepStatus.STARTED,
                services.encode(now.plus(duration), () -> "end of " + label(n, name), run.sagaId(), n), null, null, 1,
                now, null);
    }

    private @Nullable Void sleepUntilDue(StepRecord wait) {
        Instant wakeAt = waitEnd(wait);
        Instant now = services.now();
        if (!now.isBefore(wakeAt)) {
            run.write(wait.finished(StepStatus.SUCCEEDED, null, null, 1, now));
            return null;
        }
        run.park(wait, wakeAt, null);
        throw new IllegalStateException("unreachable: park stops the run");
    }

    private <T> @Nullable T awaitSignal(StepRecord wait, Class<T> type) {
        Optional<SignalRecord> signal = run.findSignal(wait.name());
        Instant now = services.now();
        if (signal.isPresent()) {
            StepRecord received = wait.finished(StepStatus.SUCCEEDED, signal.get().payload(), null, 1, now);
            run.consumeSignal(signal.get(), received);
            return services.decode(received.output(), type, () -> "signal of " + label(wait.seq(), wait.name()),
                    run.sagaId(), wait.seq());
        }
        Instant deadline = waitEnd(wait);
        if (!now.isBefore(deadline)) {
            SignalTimeoutException timedOut = signalTimeout(wait.seq(), wait.name());
            run.write(wait.finished(StepStatus.FAILED, null, services.errorJson(timedOut), 1, now));
            throw timedOut;
        }
        run.park(wait, deadline, wait.name());
        throw new IllegalStateException("unreachable: park stops the run");
    }

    private Instant waitEnd(StepRecord wait) {
        Instant end = services.decode(wait.input(), Instant.class, () -> "end of " + label(wait.seq(), wait.name()),
                run.sagaId(), wait.seq());
        return Objects.requireNonNull(end, () -> "the end of " + label(wait.seq(), wait.name()) + " is not recorded");
    }

    private SignalTimeoutException signalTimeout(int n, String name) {
        return new SignalTimeoutException("No signal '" + name + "' arrived for saga " + run.sagaId() + " in time "
                + "(step " + n + ")", run.sagaId(), n, null);
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
    }
}
