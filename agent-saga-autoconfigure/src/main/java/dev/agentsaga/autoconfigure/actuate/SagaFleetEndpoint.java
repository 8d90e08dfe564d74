package dev.agentsaga.autoconfigure.actuate;

import java.time.Instant;
import java.util.List;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaFleet;
import dev.agentsaga.ScheduleView;

/**
 * The {@code sagafleet} endpoint: the nodes that share the journal, the workflow versions each runs, and per
 * version the unfinished sagas and the running nodes that resume them; {@code unserved} lists the versions
 * whose sagas no running node resumes (after a rolling upgrade retired their last node); {@code schedules} the
 * schedules this node fires, with the latest tick any node started and the next one. Read-only.
 */
@Endpoint(id = "sagafleet", defaultAccess = Access.READ_ONLY)
public class SagaFleetEndpoint {

    private final SagaCoordinator coordinator;

    public SagaFleetEndpoint(SagaCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @ReadOperation
    public FleetDescriptor fleet() {
        SagaFleet fleet = coordinator.fleet();
        return new FleetDescriptor(fleet.at(), fleet.nodes(), fleet.versions(), fleet.unserved(),
                fleet.unservedSagas(), fleet.queues().stream().map(QueueDescriptor::of).toList(),
                coordinator.schedules());
    }

    /** The fleet as the endpoint shows it. */
    public record FleetDescriptor(Instant at, List<SagaFleet.Node> nodes, List<SagaFleet.Version> versions,
            List<SagaFleet.Version> unserved, long unservedSagas, List<QueueDescriptor> queues,
            List<ScheduleView> schedules) {
    }

    /** A configured queue: its limits (0: none) and how many of its sagas run and wait. */
    public record QueueDescriptor(String name, int globalConcurrency, int nodeConcurrency, int partitionConcurrency,
            String aging, long running, long waiting) {

        static QueueDescriptor of(SagaFleet.Queue queue) {
            return new QueueDescriptor(queue.limits().name(), queue.limits().globalConcurrency(),
                    queue.limits().nodeConcurrency(), queue.limits().partitionConcurrency(),
                    queue.limits().aging().toString(), queue.running(), queue.waiting());
        }
    }
}
