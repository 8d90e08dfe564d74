package dev.agentsaga.bench;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.SagaObserver;

/** Builds engines the way a user would, with an observer that tells the harness when sagas rest. */
final class Engines {

    private Engines() {
    }

    /** An engine on {@code ds} with {@code workers} workers and the default poll, lease and policies. */
    static SagaEngine build(DataSource ds, int workers, int steps, Rests rests) {
        return builder(ds, workers, steps, rests).build();
    }

    static AgentSaga.Builder builder(DataSource ds, int workers, int steps, Rests rests) {
        return Workloads.register(AgentSaga.builder(ds), steps)
                .tablePrefix(BenchDatabase.PREFIX)
                .workerThreads(workers)
                .observer(rests);
    }

    static void shutdown(SagaEngine engine) {
        engine.shutdown(Duration.ofSeconds(10));
    }

    /**
     * Counts sagas that rest, by status, and releases a permit for each: a driver that acquires one
     * before each start keeps a fixed number of sagas in flight.
     */
    static final class Rests implements SagaObserver {

        final LongAdder completed = new LongAdder();

        final LongAdder waiting = new LongAdder();

        /** Released by a stopping engine (RUNNING), to be resumed elsewhere. */
        final LongAdder released = new LongAdder();

        final LongAdder other = new LongAdder();

        /** One permit per rest. */
        final Semaphore rested = new Semaphore(0);

        private final AtomicInteger reported = new AtomicInteger();

        @Override
        public void sagaRested(String sagaId, String workflow, SagaStatus status) {
            switch (status) {
                case COMPLETED -> completed.increment();
                case WAITING -> waiting.increment();
                case RUNNING -> released.increment();
                default -> {
                    other.increment();
                    if (reported.incrementAndGet() <= 5) {
                        Results.Log.info("saga %s of %s rested as %s (unexpected)", sagaId, workflow, status);
                    }
                }
            }
            rested.release();
        }

        /** Waits for {@code n} rests; false when they did not all come within {@code timeout}. */
        boolean await(int n, Duration timeout) throws InterruptedException {
            return rested.tryAcquire(n, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
