package dev.agentsaga.test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;

/** Waiting for a saga to reach a status, optionally skipping test-clock time while it is parked on a timer. */
final class SagaWaits {

    /** The statuses a saga rests in until an operator or nobody moves it. */
    static final Set<SagaStatus> FINAL = EnumSet.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED, SagaStatus.FAILED,
            SagaStatus.COMPENSATION_FAILED, SagaStatus.NEEDS_ATTENTION);

    private SagaWaits() {
    }

    /**
     * Waits until the saga is in one of {@code expected}; {@code check} runs before each look and may fail
     * the wait. With {@code skipTime}, a saga WAITING for a timer has the clock moved to its wake-up.
     */
    static SagaView await(SagaCoordinator coordinator, TestClock clock, String sagaId, Set<SagaStatus> expected,
            boolean skipTime, Duration timeout, Runnable check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SagaView last = null;
        while (System.nanoTime() < deadline) {
            check.run();
            last = coordinator.find(sagaId).orElse(null);
            if (last != null && expected.contains(last.status())) {
                return last;
            }
            if (last != null && FINAL.contains(last.status())) {
                throw new AssertionError("Saga " + sagaId + " came to rest as " + last.status() + ", not "
                        + expected + describe(last.error()));
            }
            if (skipTime && last != null && last.status() == SagaStatus.WAITING && last.wakeAt() != null) {
                clock.advanceTo(last.wakeAt());
            }
            try {
                Thread.sleep(2);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a saga", ex);
            }
        }
        throw new AssertionError("Saga " + sagaId + " did not reach " + expected + " within " + timeout + "; it is "
                + (last == null ? "absent" : last.status() + describe(last.error())));
    }

    private static String describe(@Nullable String error) {
        return error == null ? "" : ": " + error;
    }
}
