package dev.agentsaga;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A saga as recorded: its status, payloads as JSON text, why it is where it is, and its step timeline.
 * After {@link SagaCoordinator#erase} the payloads read {@link #ERASED} and {@link #erasedAt()} says when.
 *
 * @param error why the saga is FAILED, COMPENSATING, COMPENSATED, COMPENSATION_FAILED or NEEDS_ATTENTION
 * @param errorStep the sequence of the step the error belongs to, if any
 * @param cancelRequested whether {@link SagaCoordinator#cancel} was called
 * @param tokensSaved model tokens that recovery did not spend again: the model calls answered from the
 *        journal when the saga was taken over after a crash, a takeover, a stop or an operator's retry, each
 *        call counted once per recovery. What a job queue that re-runs the job would have spent again.
 * @param tokensReplayed model tokens answered from the journal when the saga resumed after a durable wait
 *        (a sleep, a signal): the routine replays of a waiting agent, not a saving over re-running a job
 * @param recoveredFrom the engines (node ids) whose runs of the saga ended with their lease expiring (a crash,
 *        a hang, a lost database) and nothing recorded, oldest first, since the journal last moved: a saga
 *        recovered so more often than {@code agent.saga.max-recovery-attempts} is parked as NEEDS_ATTENTION
 * @param erasedAt when {@link SagaCoordinator#erase} replaced the saga's payloads with {@link #ERASED}; null
 *        while they are as journaled
 * @param parentId the saga that started this one as a child ({@link Saga#startChild}), or null
 * @param parentStep the parent's step that started it, or null
 * @param children the child sagas this one started, by step, each with its own children: the tree
 * @param forkedFrom the saga this one was forked from ({@link SagaCoordinator#fork}), or null
 * @param forkStep the first step this fork ran itself, or null
 */
public record SagaView(String id, String workflow, String workflowVersion, SagaStatus status,
        @Nullable String input, @Nullable String output, @Nullable String error, @Nullable Integer errorStep,
        boolean cancelRequested, @Nullable Instant wakeAt, Instant createdAt, Instant updatedAt,
        List<StepView> steps, long tokensSaved, long tokensReplayed, List<String> recoveredFrom,
        @Nullable Instant erasedAt, @Nullable String parentId, @Nullable Integer parentStep, List<Child> children,
        @Nullable String forkedFrom, @Nullable Integer forkStep) {

    /**
     * What an erased saga holds in place of each payload ({@link SagaCoordinator#erase}): the JSON string
     * {@code "[erased]"}, valid JSON wherever a payload is read as JSON. A step's error keeps its type and
     * holds this in place of its message: {@code {"type": "...", "message": "[erased]"}}.
     */
    public static final String ERASED = "\"[erased]\"";

    public SagaView {
        Objects.requireNonNull(id, "id must not be null");
        steps = List.copyOf(steps);
        recoveredFrom = List.copyOf(recoveredFrom);
        children = List.copyOf(children);
    }

    /** A child saga in the tree: the step of its parent that started it, its status, and its own children. */
    public record Child(String id, int step, String workflow, SagaStatus status, List<Child> children) {

        public Child {
            children = List.copyOf(children);
        }
    }

    /** The model tokens the saga's journaled model calls spent, input and output. */
    public long tokensSpent() {
        return steps.stream().mapToLong(step -> (step.inputTokens() == null ? 0 : step.inputTokens())
                + (step.outputTokens() == null ? 0 : step.outputTokens())).sum();
    }

    /** Whether {@link SagaCoordinator#erase} replaced the saga's payloads. */
    public boolean erased() {
        return erasedAt != null;
    }

    /** The summary of this saga, as {@link SagaCoordinator#list} returns it. */
    public SagaSummary summary() {
        return new SagaSummary(id, workflow, workflowVersion, status, error, createdAt, updatedAt);
    }
}
