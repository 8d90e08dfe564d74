package dev.agentsaga.autoconfigure.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.autoconfigure.AgentSagaAutoConfiguration;
import dev.agentsaga.autoconfigure.actuate.AgentSagaHealthIndicator;

/**
 * PostgreSQL stops and comes back while an application on the starter runs 300 sagas: once with a fast
 * shutdown that is back within the store's retries, once with an immediate shutdown (as a crash) that stays
 * away longer than them. The engine waits, reconnects and resumes; no saga is lost, no step runs under a
 * second key, every journal is in order; the health indicator is DOWN while the database is away and UP
 * after. The server is a cluster of the test's own, never the machine's shared one.
 */
class DatabaseRestartTest {

    private static final int SAGAS = 300;

    private static final int STEPS = 3;

    /** Longer than the store's retries (about ten seconds with a one-second connection time-out). */
    private static final Duration LONG_OUTAGE = Duration.ofSeconds(14);

    /** Keys seen by the actions, with how often each was executed. */
    static final Map<String, AtomicInteger> EXECUTIONS = new ConcurrentHashMap<>();

    @Test
    void sagasRunThroughTwoRestartsLosingAndDoublingNothing() throws Exception {
        var bin = ThrowawayPostgres.binaries();
        Assumptions.assumeTrue(bin.isPresent(),
                "no PostgreSQL server binaries under /usr/lib/postgresql to start a cluster of the test's own");
        try (ThrowawayPostgres server = ThrowawayPostgres.start(bin.get())) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                            AgentSagaAutoConfiguration.class))
                    .withUserConfiguration(Restartable.class)
                    .withPropertyValues("spring.datasource.url=" + server.jdbcUrl(),
                            "spring.datasource.hikari.maximum-pool-size=10",
                            "spring.datasource.hikari.connection-timeout=1000",
                            "agent.saga.poll-interval=100ms", "agent.saga.lease-duration=3s",
                            "agent.saga.shutdown-grace=1s")
                    .run(context -> {
                        SagaCoordinator sagas = context.getBean(SagaCoordinator.class);
                        AgentSagaHealthIndicator health = new AgentSagaHealthIndicator(sagas);
                        List<String> ids = new ArrayList<>();
                        long begin = System.nanoTime();

                        startSagas(sagas, ids, SAGAS / 3);
                        server.stop("fast");
                        Thread.sleep(1000);
                        server.start();
                        startSagas(sagas, ids, SAGAS / 3);
                        server.stop("immediate");
                        CompletableFuture<Health> whileAway = CompletableFuture.supplyAsync(health::health);
                        Thread.sleep(LONG_OUTAGE.toMillis());
                        Status statusWhileAway = whileAway.get().getStatus();
                        server.start();
                        startSagas(sagas, ids, SAGAS - ids.size());
                        List<SagaView> views = new ArrayList<>();
                        for (String id : ids) {
                            views.add(awaitRest(sagas, id));
                        }
                        Status statusAfter = health.health().getStatus();

                        long lost = views.stream().filter(view -> view.status() != SagaStatus.COMPLETED).count();
                        long doubled = EXECUTIONS.keySet().stream().filter(key -> !journaledKeys(views).contains(key))
                                .count();
                        long misordered = views.stream().filter(view -> !inOrder(view)).count();
                        long reruns = EXECUTIONS.values().stream().mapToInt(count -> count.get() - 1).sum();
                        System.out.printf("database restarts: sagas %d, faults 2 (fast, immediate for %d s), lost %d,"
                                + " doubled %d, misordered %d, stuck %d, steps run again under their key %d, %d ms%n",
                                views.size(), LONG_OUTAGE.toSeconds(), lost, doubled, misordered, lost, reruns,
                                Duration.ofNanos(System.nanoTime() - begin).toMillis());

                        assertThat(views).hasSize(SAGAS);
                        assertThat(lost).as("sagas that did not complete").isZero();
                        assertThat(doubled).as("executions under a key no journaled step has").isZero();
                        assertThat(misordered).as("journals out of order").isZero();
                        assertThat(EXECUTIONS).as("one key per step").hasSize(SAGAS * STEPS);
                        assertThat(statusWhileAway).isEqualTo(Status.DOWN);
                        assertThat(statusAfter).isEqualTo(Status.UP);
                    });
        }
    }

    private static void startSagas(SagaCoordinator sagas, List<String> ids, int count) {
        for (int i = 0; i < count; i++) {
            ids.add(sagas.start("restartable", "order-" + ids.size()).id());
        }
    }

    /** Waits until the saga rests: finished, or waiting for an operator. */
    private static SagaView awaitRest(SagaCoordinator sagas, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        SagaView view = sagas.find(id).orElseThrow();
        while (!resting(view.status()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            view = sagas.find(id).orElseThrow();
        }
        return view;
    }

    private static boolean resting(SagaStatus status) {
        return status.isTerminal() || status == SagaStatus.NEEDS_ATTENTION || status == SagaStatus.COMPENSATION_FAILED;
    }

    private static List<String> journaledKeys(List<SagaView> views) {
        return views.stream().flatMap(view -> view.steps().stream().map(StepView::idempotencyKey)).toList();
    }

    private static boolean inOrder(SagaView view) {
        List<StepView> steps = view.steps();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).seq() != i + 1) {
                return false;
            }
        }
        return steps.size() == STEPS;
    }

    @Configuration(proxyBeanMethods = false)
    static class Restartable {

        @Bean
        SagaAction<String, String> reserve() {
            return new Counted();
        }

        @Bean
        AgentWorkflow<String, String> restartable(SagaAction<String, String> reserve) {
            return (order, saga) -> {
                String last = order;
                for (int step = 0; step < STEPS; step++) {
                    last = saga.step(reserve, last);
                }
                return last;
            };
        }
    }

    /** Takes a little time, and counts its executions by idempotency key. */
    static final class Counted implements SagaAction<String, String> {

        @Override
        public String execute(String input, ActionContext ctx) throws Exception {
            EXECUTIONS.computeIfAbsent(ctx.idempotencyKey(), key -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(5);
            return input + "+";
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) {
        }
    }
}
