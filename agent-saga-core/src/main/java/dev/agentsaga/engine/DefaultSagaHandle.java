package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaNotCompletedException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaTimeoutException;
import dev.agentsaga.SagaView;
import dev.agentsaga.spi.InstanceRecord;

/** A handle that waits by watching the journal, told at once by its saga when the saga rests on this engine. */
final class DefaultSagaHandle implements SagaHandle {

    private static final Set<SagaStatus> FINAL = EnumSet.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
            SagaStatus.FAILED, SagaStatus.COMPENSATION_FAILED, SagaStatus.NEEDS_ATTENTION);

    /** How long a caller waits untold before it reads the saga's row again. */
    private static final long LOOK_AGAIN_MILLIS = 50;

    /**
     * The same for a saga whose rest is told: it runs on this engine, or the engines tell each other of rests.
     * The reads are a safety net then, for a rest that was not told (an operator's cancel of a saga that never ran).
     */
    private static final long TOLD_LOOK_AGAIN_MILLIS = 1000;

    private final DefaultSagaEngine engine;

    private final String id;

    private final boolean created;

    DefaultSagaHandle(DefaultSagaEngine engine, String id, boolean created) {
        this.engine = engine;
        this.id = id;
        this.created = created;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean created() {
        return created;
    }

    @Override
    public SagaView await(Duration timeout) {
        Set<SagaStatus> resting = EnumSet.copyOf(FINAL);
        resting.add(SagaStatus.WAITING);
        awaitAny(resting, timeout);
        return engine.find(id).orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + id + "'", id));
    }

    @Override
    public <T> @Nullable T awaitOutput(Class<T> type, Duration timeout) {
        Outcome saga = awaitAny(FINAL, timeout);
        if (saga.status() != SagaStatus.COMPLETED) {
            throw new SagaNotCompletedException("Saga " + id + " rests as " + saga.status() + ", not COMPLETED"
                    + (saga.error() == null ? "" : ": " + saga.error()), id);
        }
        if (saga.erasedAt() != null) {
            throw new InvalidSagaStateException("Saga " + id + " completed, but its output was erased at "
                    + saga.erasedAt() + "; its timeline is all that is left (find it)", id);
        }
        return type.cast(engine.codec().decode(saga.output(), type));
    }

    /**
     * Waits until the saga is in one of {@code statuses}: told at once by a rest on this engine (a completion
     * hands over its output, so the row is not read again), and reading the saga's row (not its journal) when
     * told otherwise, or after {@link #LOOK_AGAIN_MILLIS} untold.
     */
    private Outcome awaitAny(Set<SagaStatus> statuses, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (RestNotices.Watch watch = engine.restNotices().watch(id)) {
            // a saga that runs here now tells the watch when it rests: nothing to read until then
            InstanceRecord view = engine.runsHere(id) ? null : read();
            SagaStatus status = view == null ? SagaStatus.RUNNING : view.status();
            while (view == null || !statuses.contains(status)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SagaTimeoutException("Saga " + id + " did not rest within " + timeout + "; it is "
                            + status + " and goes on", id);
                }
                // null when untold: the saga runs on another engine, or its rest was not told here
                long untold = engine.runsHere(id) || engine.toldOfRestsElsewhere() ? TOLD_LOOK_AGAIN_MILLIS
                        : LOOK_AGAIN_MILLIS;
                RestNotices.Rest rest = watch.await(Math.min(untold, left / 1_000_000 + 1));
                if (rest != null && rest.status() == SagaStatus.COMPLETED && rest.output() != null
                        && statuses.contains(SagaStatus.COMPLETED)) {
                    return new Outcome(SagaStatus.COMPLETED, rest.output(), null, null);
                }
                view = read();
                status = view.status();
            }
            return new Outcome(status, view.output(), view.error(), view.erasedAt());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SagaTimeoutException("Interrupted while waiting for saga " + id, id);
        }
    }

    private InstanceRecord read() {
        return engine.instance(id).orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + id + "'", id));
    }

    /** What a caller waiting for the saga learns of its rest. */
    private record Outcome(SagaStatus status, @Nullable String output, @Nullable String error,
            @Nullable Instant erasedAt) {
    }
}
