package dev.agentsaga.engine;

import java.time.Duration;
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

/** A handle that waits by watching the journal, woken early by sagas that rest on this engine. */
final class DefaultSagaHandle implements SagaHandle {

    private static final Set<SagaStatus> FINAL = EnumSet.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED,
            SagaStatus.FAILED, SagaStatus.COMPENSATION_FAILED, SagaStatus.NEEDS_ATTENTION);

    private static final long MAX_WAIT_MILLIS = 50;

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
        InstanceRecord saga = awaitAny(FINAL, timeout);
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

    /** Reads the saga's row (not its journal) until it is in one of {@code statuses}. */
    private InstanceRecord awaitAny(Set<SagaStatus> statuses, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            InstanceRecord view = engine.instance(id)
                    .orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + id + "'", id));
            if (statuses.contains(view.status())) {
                return view;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SagaTimeoutException("Saga " + id + " did not rest within " + timeout + "; it is "
                        + view.status() + " and goes on", id);
            }
            try {
                engine.awaitChange(Math.min(MAX_WAIT_MILLIS, left / 1_000_000 + 1));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new SagaTimeoutException("Interrupted while waiting for saga " + id, id);
            }
        }
    }
}
