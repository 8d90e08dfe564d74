package dev.agentsaga.autoconfigure.app;

import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.agentsaga.ForkOverrides;
import dev.agentsaga.SagaCoordinator;

/** An application's own API over forks and comparisons, which lets the engine's refusals through. */
@RestController
public class TripForks {

    private final SagaCoordinator coordinator;

    public TripForks(SagaCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @PostMapping("/trips/{id}/forks")
    String fork(@PathVariable String id, @RequestParam int fromStep,
            @RequestParam(required = false) @Nullable String version) {
        ForkOverrides overrides = version == null ? ForkOverrides.none()
                : ForkOverrides.none().withWorkflowVersion(version);
        return coordinator.fork(id, fromStep, overrides).id();
    }

    @GetMapping("/trips/{a}/compare/{b}")
    @Nullable Integer divergence(@PathVariable String a, @PathVariable String b) {
        return coordinator.compare(a, b).divergedAt();
    }
}
