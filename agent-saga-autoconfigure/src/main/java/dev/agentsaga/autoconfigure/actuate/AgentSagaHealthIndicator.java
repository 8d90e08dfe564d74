package dev.agentsaga.autoconfigure.actuate;

import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaFleet;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;

/**
 * UP when the journal answers, with the number of sagas that wait for an operator and of unfinished sagas
 * that no running node resumes (their workflow version runs nowhere, after a rolling upgrade), with those
 * versions; DOWN when the journal cannot be read. The operator counts are list totals, so they are counted up
 * to the store's limit (10,000 with the JDBC store): a larger backlog shows as that limit.
 */
public class AgentSagaHealthIndicator extends AbstractHealthIndicator {

    private final SagaCoordinator coordinator;

    public AgentSagaHealthIndicator(SagaCoordinator coordinator) {
        super("agent-saga health check failed");
        this.coordinator = coordinator;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        long needsAttention = count(SagaStatus.NEEDS_ATTENTION);
        long compensationFailed = count(SagaStatus.COMPENSATION_FAILED);
        SagaFleet fleet = coordinator.fleet();
        builder.up().withDetail("needsAttention", needsAttention).withDetail("compensationFailed", compensationFailed)
                .withDetail("unservedSagas", fleet.unservedSagas());
        if (!fleet.unserved().isEmpty()) {
            builder.withDetail("unservedVersions", fleet.unserved().stream()
                    .map(version -> Map.of("workflow", version.workflow(), "version", version.version(),
                            "sagas", version.unfinished()))
                    .toList());
        }
    }

    private long count(SagaStatus status) {
        return coordinator.list(SagaQuery.all().withStatuses(status).withPage(0, 1)).total();
    }
}
