package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.StatementLog;

/**
 * The hot path's cost in round trips: one commit per READ_ONLY or COMPENSABLE step, two per
 * IRREVERSIBLE step, no read of the journal for a new saga, one read when a saga resumes.
 */
class HotPathRoundTripTest {

    static TestDatabase schema;

    static StatementLog statements;

    static final Predicate<String> WORKERS = thread -> thread.startsWith("agent-saga-worker-");

    @BeforeAll
    static void createSchema() {
        schema = TestDatabase.postgresql();
        statements = new StatementLog(schema.dataSource());
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @BeforeEach
    void clear() {
        statements.clear();
    }

    static class Reserve implements SagaAction<Integer, Integer> {
        public Integer execute(Integer input, ActionContext ctx) {
            return input + 1;
        }

        public void compensate(Integer input, Integer output, ActionContext ctx) {
        }
    }

    static class Look implements SagaAction<Integer, Integer> {
        public Integer execute(Integer input, ActionContext ctx) {
            return input;
        }

        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }

    static class Send implements SagaAction<Integer, Integer> {
        public Integer execute(Integer input, ActionContext ctx) {
            return input;
        }

        public Reversibility reversibility() {
            return Reversibility.IRREVERSIBLE;
        }
    }

    /** A read that takes its time: the caller waits for a saga that still runs. */
    static class SlowLook implements SagaAction<Integer, Integer> {
        public Integer execute(Integer input, ActionContext ctx) {
            try {
                Thread.sleep(300);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return input;
        }

        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }
    }

    static final Reserve reserve = new Reserve();

    static final SlowLook slowLook = new SlowLook();

    static final Look look = new Look();

    static final Send send = new Send();

    static class FiveSteps implements AgentWorkflow<Integer, Integer> {
        public Integer run(Integer input, Saga saga) {
            int value = saga.step(look, input);
            for (int i = 0; i < 4; i++) {
                value = saga.step(reserve, value);
            }
            return value;
        }
    }

    static class Slow implements AgentWorkflow<Integer, Integer> {
        public Integer run(Integer input, Saga saga) {
            return saga.step(reserve, saga.step(slowLook, input));
        }
    }

    static class WithIrreversible implements AgentWorkflow<Integer, Integer> {
        public Integer run(Integer input, Saga saga) {
            return saga.step(send, saga.step(reserve, input));
        }
    }

    static class Waits implements AgentWorkflow<Integer, Integer> {
        public Integer run(Integer input, Saga saga) {
            int value = saga.step(reserve, input);
            saga.awaitSignal("go", String.class, Duration.ofMinutes(1));
            return saga.step(reserve, value);
        }
    }

    private SagaEngine engine() {
        SagaEngine engine = AgentSaga.builder(statements.dataSource()).action(reserve).action(look).action(send).action(slowLook)
                .workflow("five", new FiveSteps()).workflow("irreversible", new WithIrreversible())
                .workflow("waits", new Waits()).workflow("slow", new Slow()).pollInterval(Duration.ofMillis(50)).build();
        engine.startup();
        return engine;
    }

    @Test
    void aNewSagaOfFiveStepsCommitsOncePerStepAndReadsNothing() {
        try (SagaEngine engine = engine()) {
            statements.clear();

            var handle = engine.start("five", 1);
            List<StatementLog.Entry> start = statements.entries(thread -> thread.equals("main"));
            assertThat(handle.awaitOutput(Integer.class, Duration.ofSeconds(10))).isEqualTo(5);
            List<StatementLog.Entry> run = statements.entries(WORKERS);

            assertThat(start).hasSize(1).allMatch(StatementLog.Entry::isCommit);
            assertThat(run).filteredOn(StatementLog.Entry::isCommit).hasSize(5 + 1);
            assertThat(run).filteredOn(entry -> entry.touches("agent_saga_step")).hasSize(5);
            assertThat(run).noneMatch(StatementLog.Entry::isRead);
        }
    }

    @Test
    void aCallerWaitingOnTheEngineThatRunsTheSagaReadsNothing() {
        try (SagaEngine engine = engine()) {
            statements.clear();

            var handle = engine.start("slow", 1);
            assertThat(handle.awaitOutput(Integer.class, Duration.ofSeconds(10))).isEqualTo(2);
            List<StatementLog.Entry> caller = statements.entries(thread -> thread.equals("main"));

            // the start's one commit; the completion told the caller its output
            assertThat(caller).hasSize(1).allMatch(StatementLog.Entry::isCommit);
            assertThat(caller).noneMatch(StatementLog.Entry::isRead);
        }
    }

    @Test
    void anIrreversibleStepCommitsTwice() {
        try (SagaEngine engine = engine()) {
            statements.clear();

            engine.start("irreversible", 1).awaitOutput(Integer.class, Duration.ofSeconds(10));
            List<StatementLog.Entry> run = statements.entries(WORKERS);

            assertThat(run).filteredOn(entry -> entry.touches("agent_saga_step")).hasSize(1 + 2);
            assertThat(run).filteredOn(StatementLog.Entry::isCommit).hasSize(1 + 2 + 1);
            assertThat(run).noneMatch(StatementLog.Entry::isRead);
        }
    }

    @Test
    void aResumedSagaReadsItsJournalInOneQuery() {
        try (SagaEngine engine = engine()) {
            var handle = engine.start("waits", 1);
            assertThat(handle.await(Duration.ofSeconds(10)).status()).isEqualTo(SagaStatus.WAITING);
            statements.clear();

            engine.signal(handle.id(), "go", "now");

            assertThat(handle.awaitOutput(Integer.class, Duration.ofSeconds(10))).isEqualTo(3);
            List<StatementLog.Entry> resumed = statements.entries(WORKERS);

            assertThat(resumed).filteredOn(StatementLog.Entry::isRead)
                    .filteredOn(entry -> entry.touches("agent_saga_step")).hasSize(1);
            assertThat(resumed).filteredOn(StatementLog.Entry::isRead)
                    .allMatch(entry -> entry.touches("agent_saga_step") || entry.touches("agent_saga_signal"));
        }
    }
}
