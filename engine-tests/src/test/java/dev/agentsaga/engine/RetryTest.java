package dev.agentsaga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepFailedException;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EffectLedger.Attempt;
import dev.agentsaga.testing.EffectLedger.Kind;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.IrreversibleAction;
import dev.agentsaga.testing.ReadOnlyAction;
import dev.agentsaga.testing.ScriptedWorkflow;
import dev.agentsaga.testing.TestPolicies;

/** Retries per ActionPolicy for READ_ONLY and COMPENSABLE steps, with one idempotency key; none for IRREVERSIBLE. */
class RetryTest extends EngineTestSupport {

    /** What a gap may take beyond its pause: the failed attempt, the engine's bookkeeping, a busy machine. */
    private static final Duration JITTER_SLACK = Duration.ofMillis(150);

    @Test
    void retriesAFailingStepWithTheSameIdempotencyKey() {
        CompensableAction book = new CompensableAction("bookRoom", ledger).failingTimes(2);
        ReadOnlyAction check = new ReadOnlyAction("checkRoom", ledger).failingTimes(2);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.step(check, saga.step(book, input)));
        SagaEngine engine = started(engineBuilder().action(book).action(check).workflow("retry-same-key", wf));

        SagaView view = engine.start("retry-same-key", "r1").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        List<Attempt> bookAttempts = ledger.attempts(view.id(), "bookRoom", Kind.EXECUTE);
        assertThat(bookAttempts).extracting(Attempt::attempt).containsExactly(1, 2, 3);
        assertThat(bookAttempts).extracting(Attempt::idempotencyKey).containsOnly(view.id() + ":1");
        List<Attempt> checkAttempts = ledger.attempts(view.id(), "checkRoom", Kind.EXECUTE);
        assertThat(checkAttempts).extracting(Attempt::attempt).containsExactly(1, 2, 3);
        assertThat(checkAttempts).extracting(Attempt::idempotencyKey).containsOnly(view.id() + ":2");
        assertThat(step(view, 1).attempts()).isEqualTo(3);
        assertThat(step(view, 1).idempotencyKey()).isEqualTo(view.id() + ":1");
        assertThat(step(view, 2).attempts()).isEqualTo(3);
        assertThat(ledger.effects(view.id(), Kind.EXECUTE)).allSatisfy(e -> assertThat(e.requests()).isEqualTo(1));
        assertThat(decode(view.output(), String.class)).isEqualTo("checkRoom(bookRoom(r1))");
    }

    @Test
    void givesUpAfterMaxAttemptsAndTheWorkflowSeesStepFailedException() {
        CompensableAction hold = new CompensableAction("holdSeat", ledger);
        CompensableAction pay = new CompensableAction("payTicket", ledger).alwaysFailing()
                .withPolicy(TestPolicies.fast(4));
        List<String> caught = new CopyOnWriteArrayList<>();
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(hold, input);
            try {
                return saga.step(pay, input);
            }
            catch (StepFailedException ex) {
                caught.add(ex.stepName() + "/" + ex.errorType() + "/" + ex.step());
                throw ex;
            }
        });
        SagaEngine engine = started(engineBuilder().action(hold).action(pay).workflow("retry-max", wf));

        SagaView view = engine.start("retry-max", "x").await(WAIT);

        assertThat(ledger.attempts(view.id(), "payTicket", Kind.EXECUTE)).extracting(Attempt::attempt)
                .containsExactly(1, 2, 3, 4);
        assertThat(caught).first().asString()
                .isEqualTo("payTicket/" + IllegalStateException.class.getName() + "/2");
        StepView failed = step(view, "payTicket");
        assertThat(failed.status()).isEqualTo(StepStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(4);
        assertThat(failed.error()).isNotNull().contains("payTicket failed");
        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.compensated(view.id())).containsExactly("holdSeat");
    }

    @Test
    void waitsABoundedBackoffBetweenAttempts() {
        ActionPolicy policy = ActionPolicy.defaults().withMaxAttempts(5)
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(100), 1.0);
        ReadOnlyAction fetch = new ReadOnlyAction("fetchRates", ledger).failingTimes(4).withPolicy(policy);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.step(fetch, input));
        SagaEngine engine = started(engineBuilder().action(fetch).workflow("retry-backoff", wf));
        long begin = System.nanoTime();

        SagaView view = engine.start("retry-backoff", "eur").await(WAIT);

        Duration total = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        List<Instant> times = ledger.attempts(view.id(), "fetchRates", Kind.EXECUTE).stream().map(Attempt::at).toList();
        assertThat(times).hasSize(5);
        for (int i = 1; i < times.size(); i++) {
            Duration gap = Duration.between(times.get(i - 1), times.get(i));
            assertThat(gap).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofSeconds(1));
        }
        assertThat(total).isLessThan(Duration.ofSeconds(4));
    }

    /**
     * The policy promises full jitter: the pause before attempt n is a random duration between zero and
     * {@code min(maxBackoff, initialBackoff * multiplier^(n - 2))}. So a gap between two attempts is never
     * much longer than its bound (a slack for the attempt itself and a loaded machine), and the pauses are
     * taken: seven draws under bounds of 40, 80 and five times 160 ms sum to less than 60 ms with a
     * chance below two in a million.
     */
    @Test
    void pausesBetweenAttemptsAreFullJitterUnderTheExponentialBoundOfThePolicy() {
        ActionPolicy policy = ActionPolicy.defaults().withMaxAttempts(8)
                .withBackoff(Duration.ofMillis(40), Duration.ofMillis(160), 2.0);
        TimedFailures fetch = new TimedFailures(policy);
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.step(fetch, input));
        SagaEngine engine = started(engineBuilder().action(fetch).workflow("retry-jitter", wf));

        SagaView view = engine.start("retry-jitter", "usd").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        List<Duration> gaps = fetch.gaps();
        assertThat(gaps).hasSize(7);
        List<Duration> bounds = List.of(ms(40), ms(80), ms(160), ms(160), ms(160), ms(160), ms(160));
        for (int i = 0; i < gaps.size(); i++) {
            assertThat(gaps.get(i)).as("gap before attempt %d", i + 2)
                    .isGreaterThanOrEqualTo(Duration.ZERO)
                    .isLessThanOrEqualTo(bounds.get(i).plus(JITTER_SLACK));
        }
        assertThat(gaps.stream().reduce(Duration.ZERO, Duration::plus)).as("the pauses in all, %s", gaps)
                .isGreaterThanOrEqualTo(ms(60));
    }

    @Test
    void retriesAnAttemptThatTimesOut() {
        CompensableAction slow = new CompensableAction("slowBooking", ledger)
                .sleepingOnFirstCalls(1, Duration.ofSeconds(2))
                .withPolicy(TestPolicies.fast(3).withTimeout(Duration.ofMillis(100)));
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> saga.step(slow, input));
        SagaEngine engine = started(engineBuilder().action(slow).workflow("retry-timeout", wf));
        long begin = System.nanoTime();

        SagaView view = engine.start("retry-timeout", "t").await(WAIT);

        assertThat(view.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofMillis(1900));
        assertThat(ledger.attempts(view.id(), "slowBooking", Kind.EXECUTE)).extracting(Attempt::attempt)
                .containsExactly(1, 2);
        assertThat(step(view, 1).attempts()).isEqualTo(2);
        assertThat(ledger.effects(view.id(), Kind.EXECUTE)).hasSize(1);
    }

    @Test
    void neverRetriesAnIrreversibleStep() {
        CompensableAction hold = new CompensableAction("holdFunds", ledger);
        IrreversibleAction wire = new IrreversibleAction("wireMoney", ledger).failingTimes(1)
                .withPolicy(TestPolicies.fast(5));
        ScriptedWorkflow wf = new ScriptedWorkflow((input, saga) -> {
            saga.step(hold, input);
            return saga.step(wire, input);
        });
        SagaEngine engine = started(engineBuilder().action(hold).action(wire).workflow("retry-irreversible", wf));

        SagaView view = engine.start("retry-irreversible", "x").await(WAIT);

        assertThat(ledger.attemptCount(view.id(), "wireMoney", Kind.EXECUTE)).isEqualTo(1);
        StepView wired = step(view, "wireMoney");
        assertThat(wired.status()).isEqualTo(StepStatus.FAILED);
        assertThat(wired.attempts()).isEqualTo(1);
        assertThat(view.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.compensated(view.id())).containsExactly("holdFunds");
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** A READ_ONLY action that fails until its last attempt and keeps the start time of each attempt. */
    static final class TimedFailures implements SagaAction<String, String> {

        private final ActionPolicy policy;

        private final List<Long> starts = new CopyOnWriteArrayList<>();

        TimedFailures(ActionPolicy policy) {
            this.policy = policy;
        }

        @Override
        public String execute(String input, ActionContext ctx) {
            starts.add(System.nanoTime());
            if (ctx.attempt() < policy.maxAttempts()) {
                throw new IllegalStateException("rates unavailable on attempt " + ctx.attempt());
            }
            return input;
        }

        @Override
        public Reversibility reversibility() {
            return Reversibility.READ_ONLY;
        }

        @Override
        public ActionPolicy policy() {
            return policy;
        }

        /** The time from the start of each attempt to the start of the next. */
        List<Duration> gaps() {
            List<Duration> gaps = new ArrayList<>();
            for (int i = 1; i < starts.size(); i++) {
                gaps.add(Duration.ofNanos(starts.get(i) - starts.get(i - 1)));
            }
            return gaps;
        }
    }
}
