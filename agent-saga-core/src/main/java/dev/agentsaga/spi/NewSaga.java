package dev.agentsaga.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A saga to insert: RUNNING and leased to {@code owner} until {@code leaseExpiresAt}, or PENDING and unowned
 * when {@code owner} is null.
 *
 * @param input the input as JSON text
 * @param parentId the saga that started this one as a child, or null
 * @param parentStep the parent's step that started it, or null
 * @param forkedFrom the saga this one is a fork of, or null
 * @param forkStep the first step the fork runs itself, or null
 * @param forkOverrides the fork's overrides as JSON text, or null
 * @param queue the queue the saga waits on; its workflow's name when null is given
 * @param partitionKey its partition within the queue, or null
 * @param priority its priority within the queue
 */
public record NewSaga(String id, String workflow, String workflowVersion, String input, @Nullable String owner,
        Instant createdAt, Instant leaseExpiresAt, @Nullable String parentId, @Nullable Integer parentStep,
        @Nullable String forkedFrom, @Nullable Integer forkStep, @Nullable String forkOverrides,
        @Nullable String queue, @Nullable String partitionKey, int priority) {

    public NewSaga {
        queue = queue != null ? queue : workflow;
    }

    /** A saga started by a caller: no parent, not a fork. */
    public NewSaga(String id, String workflow, String workflowVersion, String input, @Nullable String owner,
            Instant createdAt, Instant leaseExpiresAt) {
        this(id, workflow, workflowVersion, input, owner, createdAt, leaseExpiresAt, null, null, null, null, null, null,
                null, 0);
    }

    /** A PENDING child of {@code parentId}, started at its step {@code parentStep}. */
    public static NewSaga child(String id, String workflow, String workflowVersion, String input, String parentId,
            int parentStep, Instant now) {
        return new NewSaga(id, workflow, workflowVersion, input, null, now, now, parentId, parentStep, null, null,
                null, null, null, 0);
    }

    /** A PENDING fork of {@code forkedFrom} that runs itself from {@code forkStep}. */
    public static NewSaga fork(String id, String workflow, String workflowVersion, String input, String forkedFrom,
            int forkStep, @Nullable String forkOverrides, Instant now) {
        return new NewSaga(id, workflow, workflowVersion, input, null, now, now, null, null, forkedFrom, forkStep,
                forkOverrides, null, null, 0);
    }

    /** This saga on {@code queue} (null: its workflow's), in {@code partitionKey}, with {@code priority}. */
    public NewSaga queued(@Nullable String queue, @Nullable String partitionKey, int priority) {
        return new NewSaga(id, workflow, workflowVersion, input, owner, createdAt, leaseExpiresAt, parentId, parentStep,
                forkedFrom, forkStep, forkOverrides, queue, partitionKey, priority);
    }

    /** This saga PENDING and unowned. */
    public NewSaga unowned() {
        return new NewSaga(id, workflow, workflowVersion, input, null, createdAt, leaseExpiresAt, parentId, parentStep,
                forkedFrom, forkStep, forkOverrides, queue, partitionKey, priority);
    }
}
