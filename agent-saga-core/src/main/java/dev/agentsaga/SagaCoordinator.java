package dev.agentsaga;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Starts, finds and operates sagas. Safe to call from any thread; several coordinators may share one
 * database.
 */
public interface SagaCoordinator {

    /**
     * Starts a saga of the named workflow under a new id. The input is journaled before this returns.
     * @throws UnknownWorkflowException when no workflow has that name
     * @throws PayloadTooLargeException when the input's JSON exceeds the payload limit
     * @throws PayloadException when the input cannot be serialised
     * @throws SagaStoreUnavailableException when the database stayed unreachable through the store's retries;
     *     the saga may have been started all the same (a commit whose answer was lost): to start again without
     *     risking two sagas, start with an id of your own
     * @throws SagaStoreException when the database refused the saga for another reason
     */
    SagaHandle start(String workflow, @Nullable Object input);

    /**
     * Starts a saga under the given id, idempotently: when a saga with this id exists with the same
     * workflow and the same input, returns its handle ({@link SagaHandle#created()} false) and starts
     * nothing. Inputs are compared as JSON values, so the order of keys does not matter. Under
     * contention (the same id started at once from several threads or coordinators) exactly one call
     * creates the saga; the others return its handle.
     * @throws InvalidSagaIdException when the id is null, blank or longer than
     *     {@value InvalidSagaIdException#MAX_LENGTH} characters
     * @throws SagaIdConflictException when the existing saga belongs to another workflow, was started with
     *     another input, or was erased ({@link #erase}): use another id, or start with the same input
     * @throws UnknownWorkflowException when no workflow has that name
     * @throws PayloadTooLargeException when the input's JSON exceeds the payload limit
     * @throws PayloadException when the input cannot be serialised
     * @throws SagaStoreUnavailableException when the database stayed unreachable through the store's retries;
     *     starting again with the same id and input is safe: it starts the saga or finds it
     * @throws SagaStoreException when the database refused the saga for another reason
     */
    SagaHandle start(String workflow, @Nullable Object input, String sagaId);

    /**
     * Forks a saga: starts a new saga of the same workflow and input whose journal takes the recorded results
     * of the source's steps before {@code fromStep} (they are replayed, not executed again, and the fork's
     * compensation never undoes them: it does not own their effects) and runs from {@code fromStep} on, with
     * the overrides. The source is left as it is.
     * @param fromStep the first step the fork runs itself, from 1 (a fresh run) to one past the source's last
     * @return the fork's handle; it is PENDING until a node claims it
     * @throws SagaNotFoundException when no saga has this id
     * @throws InvalidSagaStateException when a step before {@code fromStep} is in doubt (an IRREVERSIBLE step
     *     whose outcome is unknown), has not finished, or was undone by the source's compensation, or
     *     {@code fromStep} is outside the journal
     * @throws UnknownWorkflowException when the fork's workflow version is not run by this coordinator
     */
    SagaHandle fork(String sagaId, int fromStep, ForkOverrides overrides);

    /**
     * Compares two sagas of the same workflow: the first step where their journals diverge, the steps that
     * differ (model turns with the tool calls they asked for, tool calls with their arguments), and each
     * saga's status, outcome and tokens.
     * @throws SagaNotFoundException when either saga does not exist
     * @throws InvalidSagaStateException when the two sagas run different workflows
     */
    SagaComparison compare(String sagaIdA, String sagaIdB);

    /**
     * Starts a saga with options: an id of the caller's (idempotent, as {@link #start(String, Object, String)}),
     * a queue, a partition key and a priority. A saga on a configured queue ({@link SagaQueue}) is inserted
     * PENDING and waits for its turn under the queue's limits, on any node; the others start at once.
     * @throws UnknownWorkflowException when no workflow has that name
     * @throws SagaIdConflictException as {@link #start(String, Object, String)}
     */
    SagaHandle start(String workflow, @Nullable Object input, StartOptions options);

    /** The saga and its step timeline, or empty when no saga has this id. */
    Optional<SagaView> find(String sagaId);

    /**
     * The saga's journal as it stands, every column of its row and steps, for keeping outside the
     * database ({@link SagaExport#toJson()}) and for replaying against new code; empty when no saga has
     * this id. The payloads are as journaled: mask what must not leave the application yourself.
     */
    Optional<SagaExport> export(String sagaId);

    /**
     * The nodes that share the journal, the workflow versions they run, and the unfinished sagas of each
     * version with the running nodes that resume them: after a rolling upgrade, the sagas of a version no
     * running node runs any more are {@link SagaFleet#unserved()}.
     * @throws SagaStoreUnavailableException when the database stayed unreachable through the store's retries
     */
    SagaFleet fleet();

    /**
     * The schedules this engine fires ({@link AgentSaga.Builder#schedule}), by name, each with the latest tick
     * started by any node and the next one; none by default, for a coordinator without schedules.
     * @throws SagaStoreUnavailableException when the database stayed unreachable through the store's retries
     */
    default List<ScheduleView> schedules() {
        return List.of();
    }

    /**
     * A page of saga summaries, newest first. The total is counted up to a limit (10,000 with the JDBC
     * store, or the end of the page when that is further); beyond it {@link Page#totalExact()} is false
     * and {@link Page#total()} is a lower bound, so that a page costs the same however many sagas match.
     */
    Page<SagaSummary> list(SagaQuery query);

    /**
     * Delivers a signal to a saga waiting (now or later) in {@link Saga#awaitSignal} under that name.
     * @throws SagaNotFoundException when no saga has this id
     * @throws InvalidSagaStateException when the saga has finished
     */
    void signal(String sagaId, String name, @Nullable Object payload);

    /**
     * Stops the saga and compensates what it completed, in reverse order.
     * @throws InvalidSagaStateException when the saga has finished or is already compensating
     */
    void cancel(String sagaId);

    /**
     * Resumes a saga that is COMPENSATION_FAILED (compensating again) or NEEDS_ATTENTION (replaying the
     * workflow, e.g. after a fix was deployed).
     * @throws InvalidSagaStateException when the saga is in any other status
     */
    void retry(String sagaId);

    /**
     * Decides the in-doubt IRREVERSIBLE step of a saga in NEEDS_ATTENTION and resumes it.
     * @throws InvalidSagaStateException when the saga has no in-doubt step
     */
    void resolve(String sagaId, Resolution resolution);

    /**
     * Erases the payloads of a finished saga and keeps its timeline, for audit: its input, output and error, its
     * steps' inputs, outputs, error messages, compensation errors and operators' notes (a model call's
     * response among them), and its signals' payloads are replaced with {@link SagaView#ERASED}, in one
     * transaction. Kept are its steps' sequence, name, kind, reversibility, status, attempts, times,
     * idempotency keys, token counts and resolutions, and the texts the engine writes itself: a step error's
     * type, why a step was not compensated, the reason of an operator's cancel, the end of a wait and the
     * fingerprint of a model request (hashes). Afterwards {@link SagaView#erasedAt()} says when; the saga's
     * journal cannot be replayed and {@link SagaHandle#awaitOutput} refuses it. Erasing an erased saga does it
     * again and changes nothing. Backups and exported journals are not reached: erase those yourself.
     * @return when the saga was erased: now, or when it was first erased
     * @throws SagaNotFoundException when no saga has this id
     * @throws InvalidSagaStateException when the saga is not COMPLETED, COMPENSATED or FAILED (nothing is
     *     changed): let it finish, or cancel it and erase it once it is COMPENSATED or FAILED; or when it is a
     *     COMPLETED child saga whose parent has not finished (its parent's compensation may still undo it)
     */
    Instant erase(String sagaId);
}
