package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.ScriptedChatModel;
import dev.agentsaga.test.TestClock;
import dev.agentsaga.testing.EngineTestSupport;

/**
 * Model rate limits: the calls of a model across several engines on one database stay within its requests and
 * tokens per minute; a call over the limit parks its saga WAITING on its own journal entry (no thread held) until
 * the next minute; calls answered from the journal never count. A {@link TestClock} shared by the engines moves
 * time a minute at a time.
 */
class ModelRateLimitTest extends EngineTestSupport {

    private static final String MODEL = ScriptedChatModel.MODEL;

    /** Asks the model {@code input} times, one prompt each. */
    static final class Chatty implements AgentWorkflow<Integer, Integer> {

        private final JournaledChatModel model;

        Chatty(ChatModel model) {
            this.model = new JournaledChatModel(model);
        }

        @Override
        public Integer run(Integer calls, Saga saga) {
            for (int i = 0; i < calls; i++) {
                model.call(saga, new Prompt(List.of(new UserMessage("question " + i))));
            }
            return calls;
        }
    }

    /** Asks the model twice with a prompt whose options name another model than the chat model's defaults. */
    static final class OtherModel implements AgentWorkflow<String, String> {

        private final JournaledChatModel model;

        OtherModel(ChatModel model) {
            this.model = new JournaledChatModel(model);
        }

        @Override
        public String run(String other, Saga saga) {
            ChatOptions options = ChatOptions.builder().model(other).build();
            model.call(saga, new Prompt(List.of(new UserMessage("one")), options));
            return model.call(saga, new Prompt(List.of(new UserMessage("two")), options)).text();
        }
    }

    /** Asks the model twice, waits for a signal, then asks once more. */
    static final class AskWaitAsk implements AgentWorkflow<String, String> {

        private final JournaledChatModel model;

        AskWaitAsk(ChatModel model) {
            this.model = new JournaledChatModel(model);
        }

        @Override
        public String run(String goal, Saga saga) {
            model.call(saga, new Prompt(List.of(new UserMessage(goal + " 1"))));
            model.call(saga, new Prompt(List.of(new UserMessage(goal + " 2"))));
            saga.awaitSignal("continue", String.class, Duration.ofDays(1));
            return model.call(saga, new Prompt(List.of(new UserMessage(goal + " 3")))).text();
        }
    }

    /** The scripted model, noting the engines' time of every request it receives. */
    static final class TimedModel implements ChatModel {

        final ScriptedChatModel scripted = ScriptedChatModel.create();

        final List<Instant> requests = new CopyOnWriteArrayList<>();

        private final TestClock clock;

        TimedModel(TestClock clock, int turns, int inputTokens, int outputTokens) {
            this.clock = clock;
            for (int i = 0; i < turns; i++) {
                scripted.turn(reply -> reply.text("ok").usage(inputTokens, outputTokens));
            }
        }

        @Override
        public ChatResponse call(Prompt prompt) {
            requests.add(clock.now());
            return scripted.call(prompt);
        }

        @Override
        public ChatOptions getDefaultOptions() {
            return scripted.getDefaultOptions();
        }

        /** The requests per minute window, by the window's start. */
        Map<Instant, Integer> perMinute() {
            Map<Instant, Integer> counts = new TreeMap<>();
            requests.forEach(at -> counts.merge(at.truncatedTo(ChronoUnit.MINUTES), 1, Integer::sum));
            return counts;
        }
    }

    @BeforeEach
    void forgetEarlierTestsWindows() {
        // each test's clock starts at the system's time: windows of another test may share its minutes
        jdbc().update("DELETE FROM agent_saga_rate_window");
        jdbc().update("DELETE FROM agent_saga_step");
        jdbc().update("DELETE FROM agent_saga_signal");
        jdbc().update("DELETE FROM agent_saga_instance");
    }

    @Test
    void threeNodesKeepAModelUnderSixtyRequestsPerMinuteAndWaitingHoldsNoThreads() throws Exception {
        int sagas = 100;
        int callsEach = 3;
        int workers = 4;
        TestClock clock = new TestClock();
        TimedModel model = new TimedModel(clock, sagas * callsEach, 10, 5);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<SagaEngine> nodes = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            nodes.add(started(engineBuilder().nodeId("node-" + node).clock(clock).workerThreads(workers)
                    .modelRateLimit(MODEL, 60, 0).workflow("chatty", new Chatty(model))));
        }
        int before = threads.getThreadCount();

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < sagas; i++) {
            ids.add(nodes.get(i % 3).start("chatty", callsEach).id());
        }
        int mostWaiting = 0;
        int threadsWhileMostWaited = 0;
        int minutes = 0;
        while (count("status <> 'COMPLETED'") > 0) {
            awaitQuiet(clock);
            int waiting = count("status = 'WAITING'");
            if (waiting > mostWaiting) {
                mostWaiting = waiting;
                threadsWhileMostWaited = threads.getThreadCount();
            }
            clock.advanceTo(clock.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
            assertThat(++minutes).as("minutes taken").isLessThan(20);
        }
        Map<Instant, Integer> perMinute = model.perMinute();
        System.out.printf("rate limit: nodes=3 sagas=%d calls=%d limit=60/min minutes=%d per minute=%s "
                + "most waiting=%d threads before=%d while they waited=%d%n", sagas, model.requests.size(), minutes,
                perMinute.values(), mostWaiting, before, threadsWhileMostWaited);

        assertThat(model.requests).hasSize(sagas * callsEach);
        assertThat(perMinute.values()).allMatch(n -> n <= 60);
        assertThat(perMinute.values().stream().filter(n -> n == 60).count()).as("minutes used to the full")
                .isGreaterThanOrEqualTo(4);
        assertThat(mostWaiting).isGreaterThanOrEqualTo(sagas - 60);
        assertThat(threadsWhileMostWaited - before).as("threads while %d sagas waited", mostWaiting)
                .isLessThanOrEqualTo(3 * workers + 3);
        assertThat(ids).allMatch(id -> view(nodes.get(0), id).status() == SagaStatus.COMPLETED);
    }

    @Test
    void aThrottledCallWaitsOnItsOwnStepAndTheTimelineShowsTheWait() {
        TestClock clock = new TestClock();
        clock.advanceTo(clock.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
        TimedModel model = new TimedModel(clock, 2, 10, 5);
        List<Duration> throttled = new CopyOnWriteArrayList<>();
        SagaEngine engine = started(engineBuilder().clock(clock).modelRateLimit(MODEL, 1, 0)
                .workflow("chatty", new Chatty(model)).observer(new SagaObserver() {
                    @Override
                    public void modelCallThrottled(StepEvent step, String rateKey, Duration wait) {
                        throttled.add(wait);
                    }
                }));
        Instant firstMinute = clock.now().truncatedTo(ChronoUnit.MINUTES);

        String id = engine.start("chatty", 2).id();
        SagaView waiting = awaitStatus(engine, id, SagaStatus.WAITING);

        Instant nextMinute = firstMinute.plus(Duration.ofMinutes(1));
        assertThat(waiting.wakeAt()).isEqualTo(nextMinute);
        assertThat(waiting.steps()).extracting(StepView::seq, StepView::kind, StepView::status)
                .containsExactly(tuple(1, StepKind.LLM, StepStatus.SUCCEEDED), tuple(2, StepKind.LLM, StepStatus.STARTED));
        assertThat(step(waiting, 2).compensationNote()).isEqualTo("throttled: " + MODEL + " is at its limit of 1 "
                + "requests per minute; waiting until " + nextMinute);
        assertThat(model.requests).hasSize(1);
        assertThat(throttled).hasSize(1);

        clock.advanceTo(nextMinute);
        SagaView done = awaitStatus(engine, id, SagaStatus.COMPLETED);

        StepView call = step(done, 2);
        assertThat(done.steps()).hasSize(2);
        assertThat(call.status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(call.compensationNote()).startsWith("throttled: ");
        assertThat(call.startedAt()).isBefore(nextMinute);
        assertThat(call.finishedAt()).isAfterOrEqualTo(nextMinute);
        assertThat(call.inputTokens()).isEqualTo(10);
        assertThat(model.requests).hasSize(2);
    }

    @Test
    void callsAnsweredFromTheJournalNeverCountAgainstTheLimit() {
        TestClock clock = new TestClock();
        TimedModel model = new TimedModel(clock, 3, 10, 5);
        SagaEngine engine = started(engineBuilder().clock(clock).modelRateLimit(MODEL, 2, 0)
                .workflow("askWaitAsk", new AskWaitAsk(model)));
        // the two first calls in the first seconds of a minute, so that both fall in it
        clock.advanceTo(clock.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
        String id = engine.start("askWaitAsk", "go").id();
        awaitStatus(engine, id, SagaStatus.WAITING);
        Instant nextMinute = clock.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        clock.advanceTo(nextMinute);

        engine.signal(id, "continue", "on");
        SagaView done = awaitStatus(engine, id, SagaStatus.COMPLETED);

        // two calls replayed and one made in a minute of two: had the replays counted, the third would wait
        assertThat(model.requests).hasSize(3);
        assertThat(done.steps()).extracting(StepView::compensationNote).containsOnlyNulls();
        assertThat(windowRequests(nextMinute)).isEqualTo(1);
    }

    @Test
    void aTokenLimitHoldsBackTheCallsOnceTheMinutesTokensAreTaken() {
        TestClock clock = new TestClock();
        clock.advanceTo(clock.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
        TimedModel model = new TimedModel(clock, 3, 40, 20);
        SagaEngine engine = started(engineBuilder().clock(clock).modelRateLimit(MODEL, 0, 100)
                .workflow("chatty", new Chatty(model)));
        Instant firstMinute = clock.now().truncatedTo(ChronoUnit.MINUTES);

        String id = engine.start("chatty", 3).id();
        SagaView waiting = awaitStatus(engine, id, SagaStatus.WAITING);

        // call 1 reserves its estimate (3 tokens) and is corrected to 60; call 2 fits (60 + 3); call 3 does not
        assertThat(waiting.steps()).extracting(StepView::status)
                .containsExactly(StepStatus.SUCCEEDED, StepStatus.SUCCEEDED, StepStatus.STARTED);
        assertThat(step(waiting, 3).compensationNote()).contains("100 tokens per minute");
        assertThat(windowTokens(firstMinute)).isEqualTo(120);

        clock.advanceTo(firstMinute.plus(Duration.ofMinutes(1)));
        awaitStatus(engine, id, SagaStatus.COMPLETED);

        assertThat(model.requests).hasSize(3);
        assertThat(windowTokens(firstMinute.plus(Duration.ofMinutes(1)))).isEqualTo(60);
    }

    @Test
    void aCallCountsAgainstTheModelItsPromptNames() {
        TestClock clock = new TestClock();
        clock.advanceTo(clock.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
        TimedModel model = new TimedModel(clock, 2, 10, 5);
        SagaEngine engine = started(engineBuilder().clock(clock).modelRateLimit(MODEL, 1, 0)
                .modelRateLimit("other-model", 5, 0).workflow("otherModel", new OtherModel(model)));

        String id = engine.start("otherModel", "other-model").id();
        awaitStatus(engine, id, SagaStatus.COMPLETED);

        assertThat(model.requests).hasSize(2);
        assertThat(windowRequests(clock.now().truncatedTo(ChronoUnit.MINUTES), "other-model")).isEqualTo(2);
    }

    /** Waits until no saga runs or is due: every one is finished or waits for a later minute. */
    private void awaitQuiet(TestClock clock) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int quietChecks = 0;
        while (quietChecks < 3) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the sagas did not settle: " + jdbc().queryForList("SELECT id, status, "
                        + "wake_at, owner, lease_expires_at FROM agent_saga_instance WHERE status IN ('PENDING', "
                        + "'RUNNING') OR (status = 'WAITING' AND wake_at <= ?) LIMIT 5", java.sql.Timestamp.from(
                        clock.now())) + " at " + clock.now());
            }
            Integer busy = jdbc().queryForObject("SELECT COUNT(*) FROM agent_saga_instance WHERE status IN "
                    + "('PENDING', 'RUNNING') OR (status = 'WAITING' AND wake_at <= ?)", Integer.class,
                    java.sql.Timestamp.from(clock.now()));
            quietChecks = busy != null && busy == 0 ? quietChecks + 1 : 0;
            Thread.sleep(100);
        }
    }

    private int count(String condition) {
        Integer n = jdbc().queryForObject("SELECT COUNT(*) FROM agent_saga_instance WHERE " + condition, Integer.class);
        return n == null ? 0 : n;
    }

    private long windowRequests(Instant window) {
        return windowRequests(window, MODEL);
    }

    private long windowRequests(Instant window, String key) {
        return window(window, "requests", key);
    }

    private long windowTokens(Instant window) {
        return window(window, "tokens", MODEL);
    }

    private long window(Instant window, String column, String key) {
        Long value = jdbc().queryForObject("SELECT " + column + " FROM agent_saga_rate_window WHERE rate_key = ? "
                + "AND window_start = ?", Long.class, key, java.sql.Timestamp.from(window));
        return value == null ? 0 : value;
    }
}
