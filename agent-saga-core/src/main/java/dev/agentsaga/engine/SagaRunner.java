package dev.agentsaga.engine;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.PayloadException;
import dev.agentsaga.SagaCancelledException;
import dev.agentsaga.SagaStatus;
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

    private final Engine engine;

    private final Compensator compensator;

    SagaRunner(Engine engine) {
        this.engine = engine;
        this.compensator = new Compensator(engine);
    }

    /**
     * Runs the saga; {@code fresh} when it was just created here (its journal is known to be empty and
     * is not read).
     * @return the status the saga rests in (RUNNING when it was released because the engine stops)
     */
    SagaStatus run(InstanceRecord instance, boolean fresh, SagaContext.Interruption interruption) {
        Lease lease = new Lease(instance.id(), Objects.requireNonNull(instance.owner(), "a running saga has an owner"),
                instance.leaseEpoch());
        List<StepRecord> journal = fresh ? List.of() : engine.store().loadJournal(instance.id());
        if (instance.status() == SagaStatus.COMPENSATING) {
            return compensator.compensate(lease, instance.workflow(), journal, null, null);
        }
        return runWorkflow(instance, lease, journal, interruption);
    }

    private SagaStatus runWorkflow(InstanceRecord instance, Lease lease, List<StepRecord> journal,
            SagaContext.Interruption interruption) {
        String sagaId = instance.id();
        Registry.WorkflowEntry workflow = engine.registry().workflow(instance.workflow());
        Object input;
        try {
            input = engine.decode(instance.input(), workflow.inputType(), () -> "input of the saga", sagaId, null);
        }
        catch (PayloadException ex) {
            return rest(lease, SagaStatus.NEEDS_ATTENTION, ex.getMessage(), null);
        }
        SagaContext saga = new SagaContext(engine, lease, instance.workflow(), journal, interruption);
        Object output = null;
        Throwable failure = null;
        try {
            output = workflow.workflow().run(input, saga);
        }
        catch (VirtualMachineError error) {
            throw error;
        }
        catch (Throwable ex) {
            failure = ex;
        }
        if (saga.replayedTokens() > 0) {
            try {
                engine.store().addReplayedTokens(sagaId, saga.replayedTokens());
            }
            catch (RuntimeException ex) {
                log.debug("Could not count the replayed tokens of saga {}: {}", sagaId, ex.getMessage());
            }
        }
        if (saga.halt() != null) {
            return settle(lease, saga.halt());
        }
        if (saga.cancelled()) {
            log.info("Saga {} was cancelled; compensating its completed steps", sagaId);
            return compensator.compensate(lease, instance.workflow(), saga.journal(), CANCELLED, null);
        }
        if (failure == null) {
            return complete(lease, saga, output);
        }
        if (failure instanceof Suspension) {
            // thrown on by a workflow after the run was halted; nothing more to decide
            return settle(lease, new SagaContext.Halt(SagaContext.Halt.Kind.RELEASED, null, null));
        }
        log.info("Saga {} failed, compensating its completed steps: {}", sagaId, failure.toString());
        Integer step = failure instanceof AgentSagaException ex ? ex.step() : null;
        return compensator.compensate(lease, instance.workflow(), saga.journal(), describe(failure), step);
    }

    private SagaStatus complete(Lease lease, SagaContext saga, @Nullable Object output) {
        String sagaId = lease.sagaId();
        if (saga.leftStepsUnvisited()) {
            return rest(lease, SagaStatus.NEEDS_ATTENTION, "Non-determinism in saga " + sagaId + ": the workflow "
                    + "returned after step " + saga.lastSeq() + " but the journal holds " + saga.journaledSteps()
                    + " steps. The workflow's code changed under a running saga: restore the previous code (or give "
                    + "changed code a new version()), then retry the saga", saga.lastSeq() + 1);
        }
        String json;
        try {
            json = engine.encode(output, () -> "output of the workflow", sagaId, null);
        }
        catch (PayloadException ex) {
            return rest(lease, SagaStatus.NEEDS_ATTENTION, ex.getMessage(), null);
        }
        held(engine.write(new JournalWrite.CompleteSaga(lease, json, engine.now())), sagaId);
        return SagaStatus.COMPLETED;
    }

    private SagaStatus settle(Lease lease, SagaContext.Halt halt) {
        String sagaId = lease.sagaId();
        return switch (halt.kind()) {
            case ATTENTION -> {
                log.warn("Saga {} needs attention: {}", sagaId, halt.error());
                yield rest(lease, SagaStatus.NEEDS_ATTENTION, halt.error(), halt.step());
            }
            case PARKED -> SagaStatus.WAITING;
            case RELEASED -> {
                engine.store().release(lease, engine.now());
                yield SagaStatus.RUNNING;
            }
            case LEASE_LOST -> throw new LeaseLost(sagaId);
            case STORE_FAILED -> {
                log.warn("Saga {} stopped because its journal could not be written; it will be resumed from the "
                        + "journal: {}", sagaId, halt.error());
                try {
                    engine.store().release(lease, engine.now());
                }
                catch (RuntimeException ex) {
                    // the database is still away: the lease expires and the saga is claimed again
                }
                yield SagaStatus.RUNNING;
            }
        };
    }

    private SagaStatus rest(Lease lease, SagaStatus status, @Nullable String error, @Nullable Integer step) {
        held(engine.store().rest(lease, status, error, step, engine.now()), lease.sagaId());
        return status;
    }

    private static void held(boolean held, String sagaId) {
        if (!held) {
            throw new LeaseLost(sagaId);
        }
    }

    private static String describe(Throwable failure) {
        if (failure instanceof AgentSagaException || failure instanceof SagaCancelledException) {
            return failure.getMessage();
        }
        return "The workflow threw " + failure.getClass().getName() + ": " + failure.getMessage();
    }
}
