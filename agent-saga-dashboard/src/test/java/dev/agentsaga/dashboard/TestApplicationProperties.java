package dev.agentsaga.dashboard;

import org.springframework.test.context.DynamicPropertyRegistry;

/** What the browser tests' applications share: a quick engine, a quiet log (each has a database of its own). */
final class TestApplicationProperties {

    private TestApplicationProperties() {
    }

    static void register(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "6");
        registry.add("agent.saga.poll-interval", () -> "50ms");
        registry.add("agent.saga.policy.initial-backoff", () -> "5ms");
        registry.add("agent.saga.policy.max-backoff", () -> "10ms");
        registry.add("agent.saga.shutdown-grace", () -> "1s");
        registry.add("logging.level.dev.agentsaga", () -> "WARN");
        registry.add("logging.level.dev.agentsaga.dashboard", () -> "INFO");
    }
}
