package dev.agentsaga.dashboard.app;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.dashboard.app.TravelActions.Transfer;
import dev.agentsaga.spi.SagaClock;

/**
 * Sagas of the travel desk in every status, under fixed ids: what the dashboard's tests look at.
 */
public final class TravelScenarios {

    public static final String COMPLETED = "trip-madrid-0412";

    public static final String COMPENSATED = "trip-porto-0413";

    public static final String COMPENSATION_FAILED = "trip-rome-0414";

    public static final String FAILED = "trip-atlantis-0415";

    public static final String NEEDS_ATTENTION = "payout-7731";

    public static final String WAITING = "trip-lisbon-0416";

    public static final String COMPENSATING = "trip-paris-0417";

    public static final String RUNNING = "trip-slowtown-0418";

    public static final String PENDING = "trip-berlin-0419";

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SagaCoordinator sagas;

    public TravelScenarios(SagaCoordinator sagas) {
        this.sagas = sagas;
    }

    /**
     * Starts one saga of each status and waits until each is there; the PENDING one is a row of a newer
     * version, written at the engine's time ({@code clock}, which a test clock may have moved past the system's).
     */
    public void playAll(JdbcTemplate jdbc, SagaClock clock) {
        sagas.start(TripWorkflow.NAME, "3 nights in Madrid at Hotel Prado, card visa-4242", COMPLETED);
        sagas.signal(COMPLETED, "approval:sendConfirmation", Map.of("approved", true, "by", "maria", "reason", "ok"));
        awaitStatus(COMPLETED, SagaStatus.COMPLETED);
        sagas.start(TripWorkflow.NAME, "Weekend in Porto at Casa Azul, card visa-declined", COMPENSATED);
        awaitStatus(COMPENSATED, SagaStatus.COMPENSATED);
        sagas.start(TripWorkflow.NAME, "3 nights in Rome at " + TravelDesk.STUCK_HOTEL + ", card visa-declined",
                COMPENSATION_FAILED);
        awaitStatus(COMPENSATION_FAILED, SagaStatus.COMPENSATION_FAILED);
        sagas.start(TripWorkflow.NAME, "A week in Atlantis", FAILED);
        awaitStatus(FAILED, SagaStatus.FAILED);
        sagas.start(PayoutWorkflow.NAME, new Transfer("PT50 0002 0123 1234 5678 9015 4", 25_000), NEEDS_ATTENTION);
        awaitStatus(NEEDS_ATTENTION, SagaStatus.NEEDS_ATTENTION);
        sagas.start(TripWorkflow.NAME, "3 nights in Lisbon at Hotel Avenida, card visa-4242", WAITING);
        awaitStatus(WAITING, SagaStatus.WAITING);
        sagas.start(TripWorkflow.NAME, "2 nights in Paris at " + TravelDesk.SLOW_HOTEL + ", card visa-declined",
                COMPENSATING);
        awaitStatus(COMPENSATING, SagaStatus.COMPENSATING);
        sagas.start(TripWorkflow.NAME, "A day in Slowtown", RUNNING);
        awaitStatus(RUNNING, SagaStatus.RUNNING);
        pendingOfNewerVersion(jdbc, clock.now());
    }

    /** A saga that waits for a node running version 2 of its workflow: none does, so it stays PENDING. */
    private void pendingOfNewerVersion(JdbcTemplate jdbc, Instant at) {
        java.sql.Timestamp now = java.sql.Timestamp.from(at);
        jdbc.update("INSERT INTO agent_saga_instance (id, workflow, workflow_version, status, input, cancel_requested, "
                + "lease_epoch, created_at, updated_at) VALUES (?, ?, '2', 'PENDING', ?, FALSE, 0, ?, ?)", PENDING,
                TripWorkflow.NAME, "\"4 nights in Berlin at Hotel Spree, card visa-4242\"", now, now);
    }

    /** Waits until the saga is in the status. */
    public SagaView awaitStatus(String id, SagaStatus status) {
        Instant deadline = Instant.now().plus(WAIT);
        SagaView view = null;
        while (Instant.now().isBefore(deadline)) {
            view = sagas.find(id).orElse(null);
            if (view != null && view.status() == status) {
                return view;
            }
            sleep();
        }
        throw new AssertionError("Saga " + id + " did not reach " + status + " in " + WAIT + "; it is "
                + (view == null ? "missing" : view.status() + " (" + view.error() + ")"));
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }
}
