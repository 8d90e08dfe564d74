package dev.agentsaga.engine;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.EncryptionKeyException;
import dev.agentsaga.ForkOverrides;
import dev.agentsaga.PayloadException;
import dev.agentsaga.SagaCancelledException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.ClaimedSaga;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.JournalWrite;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.StepRecord;

/**
 * Runs one saga until it rests: replays and continues the workflow, then completes it, compensates it,
 * parks it, or hands it to an operator.
 */
final class SagaRunner {

    static final String CANCELLED = "Cancelled by an operator";

    private static final Logger log = LoggerFactory.getLogger(SagaRunner.class);

    private final EngineServices services;

    private final Compensator compensator;

    private final Recoveries recoveries;

    SagaRunner(EngineServices services) {
        this.services = services;
        this.compensator = new Compensator(services);
        this.recoveries = new Recoveries(services);
    }

    /**
     * Runs the saga; {@code fresh} when it was just created here (its journal is known to be empty and
     * is not read, as for a claim of a saga's first run). A saga recovered too often without progress is
     * parked instead (see {@link Recoveries}), and so is a saga whose payloads this engine cannot decrypt (a
     * key missing from its configuration): its journal is left as it is, and configuring the key and retrying
     * the saga resumes it.
     * @return the status the saga rests in (RUNNING when it was released because the engine stops), with its
     *         output when it completed
     */
    Rested run(ClaimedSaga claim, boolean fresh, Interruption interruption) {
        InstanceRecord instance = claim.saga();
        Lease lease = new Lease(instance.id(), Objects.requireNonNull(instance.owner(), "a running saga has an owner"),
                instance.leaseEpoch());
        String unreadable = claim.unreadable();
        if (unreadable != null) {
            return Rested.of(unreadable(lease, unreadable));
        }
        List<StepRecord> journal;
        try {
            journal = fresh || claim.firstRun() ? List.of() : services.store().loadJournal(instance.id());
        }
        catch (EncryptionKeyException ex) {
            return Rested.of(unreadable(lease, String.valueOf(ex.getMessage())));
        }
        String takenFrom = claim.takenFrom();
        if (takenFrom != null) {
            Recoveries.Parking parking = recoveries.record(lease, instance, takenFrom, journal);
            if (parking != null) {
                log.warn("Saga {} is parked as NEEDS_ATTENTION: {}", instance.id(), parking.reason());
                return Rested.of(rest(lease, SagaStatus.NEEDS_ATTENTION, parking.reason(), parking.step()));
            }
        }
        if (instance.status() == SagaStatus.COMPENSATING) {
            return Rested.of(compensator.compensate(lease, instance.workflow(), journal, null, null));
        }
        RunJournal.Fork fork;
        try {
            fork = fork(instance);
        }
        catch (PayloadException ex) {
            return Rested.of(rest(lease, SagaStatus.NEEDS_ATTENTION, ex.getMessage(), null));
        }
        return runWorkflow(instance, lease, new RunJournal(services, lease, instance.workflow(), journal, interruption,
                claim.recovered(), fork));
    }

    /** A fork's first step and overrides, or null when the saga is not a fork. */
    private RunJournal.@Nullable Fork fork(InstanceRecord instance) {
        Integer step = instance.forkStep();
        if (step == null) {
            return null;
        }
        ForkOverrides overrides = services.decode(instance.forkOverrides(), ForkOverrides.class,
                () -> "fork overrides", instance.id(), null);
        return new RunJournal.Fork(step, overrides == null ? ForkOverrides.none() : overrides);
    }

    private Rested runWorkflow(InstanceRecord instance, Lease lease, RunJournal run) {
        String sagaId = instance.id();
        Registry.WorkflowEntry workflow = services.registry().workflow(instance.workflow());
        Object input;
        try {
            input = services.decode(instance.input(), workflow.inputType(), () -> "input of the saga", sagaId, null);
        }
        catch (PayloadException ex) {
            return Rested.of(rest(lease, SagaStatus.NEEDS_ATTENTION, ex.getMessage(), null));
        }
        SagaContext.Verdict verdict = SagaContext.run(services, run, workflow, input);
        Object output = verdict.output();
        Throwable failure = verdict.failure();
        countReplayedTokens(run);
        Halt halt = run.halt();
        if (halt != null) {
            return Rested.of(settle(lease, halt));
        }
        if (run.cancelled()) {
            log.info("Saga {} was cancelled; compensating its completed steps", sagaId);
            return Rested.of(compensator.compensate(lease, instance.workflow(), run.steps(), CANCELLED, null));
        }
        if (failure == null) {
            return complete(instance, lease, run, output);
        }
        if (failure instanceof Suspension) {
            // thrown on by a workflow after the run was halted; nothing more to decide
            return Rested.of(settle(lease, new Halt(Halt.Kind.RELEASED, null, null)));
        }
        log.info("Saga {} failed, compensating its completed steps: {}", sagaId, failure.toString());
        Integer step = failure instanceof AgentSagaException ex ? ex.step() : null;
        return Rested.of(compensator.compensate(lease, instance.workflow(), run.steps(), describe(failure), step));
    }

    private void countReplayedTokens(RunJournal run) {
        if (run.replayedTokens() > 0) {
            try {
                services.store().addReplayedTokens(run.sagaId(), run.replayedTokens(), run.recovering());
            }
            catch (RuntimeException ex) {
                log.debug("Could not count the replayed tokens of saga {}: {}", run.sagaId(), ex.getMessage());
            }
        }
    }

    private Rested complete(InstanceRecord instance, Lease lease, RunJournal run, @Nullable Object output) {
        String sagaId = lease.sagaId();
        if (run.leftStepsUnvisited()) {
            return Rested.of(rest(lease, SagaStatus.NEEDS_ATTENTION, "Non-determinism in saga " + sagaId
                    + ": the workflow returned after step " + run.lastSeq() + " but the journal holds " + run.journaledSteps()
                    + " steps. The workflow's code changed under a running saga: restore the previous code (or give "
                    + "changed code a new version()), then retry the saga", run.lastSeq() + 1));
        }
        String json;
        try {
            json = services.encode(output, () -> "output of the workflow", sagaId, null);
        }
        catch (PayloadException ex) {
            return Rested.of(rest(lease, SagaStatus.NEEDS_ATTENTION, ex.getMessage(), null));
        }
        // a child's completion wakes its parked parent in the same transaction
        held(services.write(new JournalWrite.CompleteSaga(lease, json, services.now(), instance.parentId())), sagaId);
        return new Rested(SagaStatus.COMPLETED, json);
    }

    private SagaStatus settle(Lease lease, Halt halt) {
        String sagaId = lease.sagaId();
        return switch (halt.kind()) {
            case ATTENTION -> {
                log.warn("Saga {} needs attention: {}", sagaId, halt.error());
                yield rest(lease, SagaStatus.NEEDS_ATTENTION, halt.error(), halt.step());
            }
            case PARKED -> SagaStatus.WAITING;
            case RELEASED -> {
                services.store().release(lease, services.now());
                yield SagaStatus.RUNNING;
            }
            case LEASE_LOST -> throw new LeaseLost(sagaId);
            case STORE_FAILED -> {
                log.warn("Saga {} stopped because its journal could not be written; it will be resumed from the "
                        + "journal: {}", sagaId, halt.error());
                try {
                    services.store().release(lease, services.now());
                }
                catch (RuntimeException ex) {
                    // the database is still away: the lease expires and the saga is claimed again
                }
                yield SagaStatus.RUNNING;
            }
        };
    }

    /** Parks a saga whose payloads this engine cannot decrypt, touching nothing but its status and error. */
    private SagaStatus unreadable(Lease lease, String reason) {
        log.warn("Saga {} is parked as NEEDS_ATTENTION, its journal untouched: {}", lease.sagaId(), reason);
        return rest(lease, SagaStatus.NEEDS_ATTENTION, reason, null);
    }

    private SagaStatus rest(Lease lease, SagaStatus status, @Nullable String error, @Nullable Integer step) {
        held(services.store().rest(lease, status, error, step, services.now()), lease.sagaId());
        return status;
    }

    private static void held(boolean held, String sagaId) {
        if (!held) {
            throw new LeaseLost(sagaId);
        }
    }

    /**
     * The status a saga rests in, and its output as journaled when it completed.
     * @param status RUNNING when it was released because the engine stops
     */
    record Rested(SagaStatus status, @Nullable String output) {

        static Rested of(SagaStatus status) {
            return new Rested(status, null);
        }
    }

    private static @Nullable String describe(Throwable failure) {
        if (failure instanceof AgentSagaException || failure instanceof SagaCancelledException) {
            return failure.getMessage();
        }
        return "The workflow threw " + failure.getClass().getName() + ": " + failure.getMessage();
    }
}
