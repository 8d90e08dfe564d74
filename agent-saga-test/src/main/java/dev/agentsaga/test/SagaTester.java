package dev.agentsaga.test;

import java.util.EnumSet;
import java.util.Objects;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;

/**
 * The kit's waits for a Spring Boot test ({@link AutoConfigureSagaTest}): the same as a
 * {@link SagaTestEnvironment}'s, on the application's own auto-configured engine.
 */
public final class SagaTester {

    private final SagaCoordinator sagas;

    private final TestClock clock;

    public SagaTester(SagaCoordinator sagas, TestClock clock) {
        this.sagas = Objects.requireNonNull(sagas, "sagas must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** See {@link SagaTestEnvironment#awaitFinal(String)}. */
    public SagaView awaitFinal(String sagaId) {
        return SagaWaits.await(sagas, clock, sagaId, SagaWaits.FINAL, true, SagaTestEnvironment.WAIT, () -> {
        });
    }

    /** See {@link SagaTestEnvironment#awaitStatus(String, SagaStatus)}. */
    public SagaView awaitStatus(String sagaId, SagaStatus status) {
        return SagaWaits.await(sagas, clock, sagaId, EnumSet.of(status), false, SagaTestEnvironment.WAIT, () -> {
        });
    }

    /** The saga's journal. */
    public SagaExport export(String sagaId) {
        return sagas.export(sagaId).orElseThrow(() -> new AssertionError("No saga has the id " + sagaId));
    }

    /** The engine's clock. */
    public TestClock clock() {
        return clock;
    }
}
