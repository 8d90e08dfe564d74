package dev.agentsaga.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.InstanceRecord;
import dev.agentsaga.spi.Lease;
import dev.agentsaga.spi.StepRecord;

/**
 * Counts the recoveries of a saga that find its journal where the previous recovery left it, and parks a
 * saga recovered that way more often than {@code maxRecoveryAttempts}: each of its runs ended with its
 * engine's lease expiring and nothing recorded, as when a step takes its process down (out of memory, a
 * native crash, a halt), and running it again would take down every node in turn.
 */
final class Recoveries {

    /** Separates the engines in {@code recovered_from}. */
    static final String SEPARATOR = "\n";

    private final EngineServices services;

    Recoveries(EngineServices services) {
        this.services = services;
    }

    /**
     * Records that the saga, held by {@code lease}, was taken over from {@code takenFrom}: the engines it was
     * recovered from start again from that one when its journal moved since the last recovery.
     * @return why the saga must be parked instead of run, or null when it may run
     * @throws LeaseLost when the lease was lost meanwhile
     */
    @Nullable Parking record(Lease lease, InstanceRecord saga, String takenFrom, List<StepRecord> journal) {
        int limit = services.settings().maxRecoveryAttempts();
        if (limit == 0) {
            return null;
        }
        long mark = progress(journal);
        List<String> engines = new ArrayList<>();
        String recorded = saga.recoveredFrom();
        if (recorded != null && Objects.equals(saga.recoveryMark(), mark)) {
            engines.addAll(Arrays.asList(recorded.split(SEPARATOR)));
        }
        engines.add(takenFrom);
        if (!services.store().recordRecovery(lease, String.join(SEPARATOR, engines), mark)) {
            throw new LeaseLost(lease.sagaId());
        }
        if (engines.size() <= limit) {
            return null;
        }
        StepRecord last = journal.isEmpty() ? null : journal.get(journal.size() - 1);
        String where = last == null ? "before its first step was journaled"
                : "after step " + last.seq() + " (" + last.name() + ", " + last.status() + ")";
        return new Parking("Saga " + saga.id() + " was recovered " + engines.size() + " times without its journal "
                + "moving, more than agent.saga.max-recovery-attempts (" + limit + "): each run stopped " + where
                + " with its engine's lease expiring, as when a step takes its process down (out of memory, a native "
                + "crash, a halt). Engines whose runs ended so: " + String.join(", ", engines) + ". No engine runs it "
                + "until an operator does: find the cause in those engines' logs, then retry the saga",
                last != null && last.status() == StepStatus.STARTED ? last.seq() : null);
    }

    /**
     * How far a journal has come: every entry counts by how far its step has come, so that a new entry, an
     * outcome or a compensation moves it and nothing else does.
     */
    static long progress(List<StepRecord> journal) {
        long progress = 0;
        for (StepRecord step : journal) {
            progress += switch (step.status()) {
                case STARTED -> 1;
                case SUCCEEDED, FAILED -> 2;
                case COMPENSATING -> 3;
                case COMPENSATED, COMPENSATION_FAILED -> 4;
            };
        }
        return progress;
    }

    /** Why a saga is parked, and the step that was under way, if one was journaled. */
    record Parking(String reason, @Nullable Integer step) {
    }
}
