package dev.agentsaga;

import java.time.Duration;

/**
 * A {@link SagaCoordinator} with a life cycle: built by {@link AgentSaga#builder}, started once, closed
 * once. Between {@link #startup()} and {@link #shutdown} it runs sagas on its worker threads and
 * resumes the unfinished ones it finds in the database.
 */
public interface SagaEngine extends SagaCoordinator, AutoCloseable {

    /** Starts the workers, the poller that claims runnable sagas, and the lease heartbeat. */
    void startup();

    /**
     * Stops taking work and waits up to {@code grace} for running steps to finish. A saga whose step
     * is still running when the grace ends is left as it is in the journal, for recovery; nothing is
     * half-recorded because every journal write is one transaction.
     */
    void shutdown(Duration grace);

    /** Whether {@link #startup()} was called and {@link #shutdown} was not. */
    boolean isRunning();

    /** The id under which this engine claims sagas. */
    String nodeId();

    /** Shuts down with a grace of 10 seconds. */
    @Override
    default void close() {
        shutdown(Duration.ofSeconds(10));
    }
}
