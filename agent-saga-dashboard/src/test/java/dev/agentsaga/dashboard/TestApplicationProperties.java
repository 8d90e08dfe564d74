package dev.agentsaga.dashboard;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.agentsaga.test.TestDatabase;

/** What the browser tests' applications share: their database, a quick engine, a quiet log. */
final class TestApplicationProperties {

    private TestApplicationProperties() {
    }

    static void register(DynamicPropertyRegistry registry, TestDatabase database) {
        registry.add("spring.datasource.url", database::jdbcUrl);
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "6");
        registry.add("agent.saga.poll-interval", () -> "50ms");
        registry.add("agent.saga.policy.initial-backoff", () -> "5ms");
        registry.add("agent.saga.policy.max-backoff", () -> "10ms");
        registry.add("agent.saga.shutdown-grace", () -> "1s");
        registry.add("logging.level.dev.agentsaga", () -> "WARN");
        registry.add("logging.level.dev.agentsaga.dashboard", () -> "INFO");
    }
}
