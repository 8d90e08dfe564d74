package dev.agentsaga.test;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.SignalTimeoutException;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.test.Ledger.Op;

/**
 * Time in a test passes on the test clock: durable sleeps and signal deadlines, retry backoff and step
 * time-outs take no wall time.
 */
@SagaTest
class TimeSkippingTest {

    private static final Duration UNDER_A_SECOND = Duration.ofSeconds(1);

    @Test
    void aWorkflowThatSleepsADayFinishesInUnderASecond(SagaTestEnvironment env) {
        Trip trip = new Trip();
        env.configure(engine -> engine.action(trip.bookFlight).action(trip.bookHotel)
                .workflow("slowTrip", new SleepsADay(trip)));
        env.engine();

        long started = System.nanoTime();
        String id = env.start("slowTrip", "Lisbon").id();
        SagaView done = env.awaitFinal(id);
        Duration wallTime = Duration.ofNanos(System.nanoTime() - started);

        assertThat(wallTime).isLessThan(UNDER_A_SECOND);
        assertThatSaga(done).isCompleted().hasStepNames("bookFlight", "sleep", "bookHotel")
                .hasStep(2, StepKind.SLEEP, "sleep", StepStatus.SUCCEEDED);
        assertThat(Duration.between(step(done, 1).finishedAt(), step(done, 3).startedAt()))
                .as("clock time between the flight and the hotel").isGreaterThanOrEqualTo(Duration.ofHours(24));
        assertThat(trip.ledger.requests()).hasSize(2);
    }

    @Test
    void aSignalThatNeverComesTimesOutAfterAnHourInUnderASecond(SagaTestEnvironment env) {
        env.configure(engine -> engine.workflow("approval", new AwaitsApproval()));
        env.engine();

        long started = System.nanoTime();
        String id = env.start("approval", "Lisbon").id();
        SagaView done = env.awaitFinal(id);
        Duration wallTime = Duration.ofNanos(System.nanoTime() - started);

        assertThat(wallTime).isLessThan(UNDER_A_SECOND);
        assertThatSaga(done).isCompleted().hasStep(1, StepKind.SIGNAL, "approval", StepStatus.FAILED);
        assertThat(done.output()).isEqualTo("\"no approval for Lisbon\"");
        assertThat(step(done, 1).error()).contains("SignalTimeoutException");
        assertThat(step(done, 1).duration()).as("the wait, on the engine's clock")
                .isGreaterThanOrEqualTo(Duration.ofHours(1)).isLessThan(Duration.ofHours(2));
    }

    @Test
    void retryBackoffOfMinutesTakesNoWallTimeAndMovesTheClockByThePauses(SagaTestEnvironment env) {
        Unreliable quote = new Unreliable(env.clock(), 2);
        env.configure(engine -> engine.action(quote).workflow("quote", new Quotes(quote)));
        env.engine();

        long started = System.nanoTime();
        SagaView done = env.awaitFinal(env.start("quote", "Lisbon").id());
        Duration wallTime = Duration.ofNanos(System.nanoTime() - started);

        assertThat(wallTime).isLessThan(UNDER_A_SECOND);
        assertThatSaga(done).isCompleted();
        assertThat(step(done, 1).attempts()).isEqualTo(3);
        List<Duration> offsets = quote.clockOffsets;
        assertThat(offsets).hasSize(3);
        Duration firstPause = offsets.get(1).minus(offsets.get(0));
        Duration secondPause = offsets.get(2).minus(offsets.get(1));
        assertThat(firstPause).as("pause before attempt 2: up to the initial backoff")
                .isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(secondPause).as("pause before attempt 3: up to twice the initial backoff")
                .isPositive().isLessThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(step(done, 1).duration()).as("the step's duration on the engine's clock")
                .isGreaterThanOrEqualTo(firstPause.plus(secondPause));
        assertThat(quote.keys).containsOnly(done.id() + ":1").hasSize(3);
    }

    @Test
    void aTimedOutAttemptIsInterruptedWhenTheTestMovesTheClockPastItsTimeOutAndIsRetried(SagaTestEnvironment env)
            throws InterruptedException {
        Hangs quote = new Hangs(ActionPolicy.noRetries().withMaxAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO,
                1.0).withTimeout(Duration.ofMinutes(10)));
        env.configure(engine -> engine.action(quote).workflow("quote", new Quotes(quote)));
        String id = env.start("quote", "Lisbon").id();
        assertThat(quote.firstAttemptStarted.await(5, TimeUnit.SECONDS)).isTrue();
        awaitAnAttemptTimedByTheTestClock();

        env.clock().advance(Duration.ofMinutes(9));
        boolean interruptedAfterNineMinutes = quote.firstAttemptInterrupted.await(100, TimeUnit.MILLISECONDS);
        env.clock().advance(Duration.ofMinutes(2));
        boolean interruptedAfterElevenMinutes = quote.firstAttemptInterrupted.await(5, TimeUnit.SECONDS);
        SagaView done = env.awaitFinal(id);

        assertThat(interruptedAfterNineMinutes).as("interrupted before its time-out").isFalse();
        assertThat(interruptedAfterElevenMinutes).as("interrupted past its time-out").isTrue();
        assertThatSaga(done).isCompleted();
        assertThat(step(done, 1).attempts()).isEqualTo(2);
        assertThat(quote.keys).containsExactly(id + ":1", id + ":1");
    }

    @Test
    void aStepWhoseLastAttemptTimesOutFailsAndTheSagaCompensates(SagaTestEnvironment env) throws InterruptedException {
        Trip trip = new Trip();
        Hangs quote = new Hangs(ActionPolicy.noRetries().withTimeout(Duration.ofMinutes(10)));
        env.configure(engine -> engine.action(trip.bookFlight).action(quote)
                .workflow("quote", new Quotes(quote, trip.bookFlight)));
        String id = env.start("quote", "Lisbon").id();
        assertThat(quote.firstAttemptStarted.await(5, TimeUnit.SECONDS)).isTrue();
        awaitAnAttemptTimedByTheTestClock();

        env.clock().advance(Duration.ofMinutes(11));
        SagaView done = env.awaitFinal(id);

        assertThatSaga(done).isCompensated().hasStep(2, StepKind.ACTION, "hangs", StepStatus.FAILED)
                .compensatedInOrder("bookFlight").hasErrorContaining("timed out");
        assertThat(quote.firstAttemptInterrupted.getCount()).as("the attempt was interrupted").isZero();
        assertThat(trip.ledger.effects(Op.COMPENSATE)).extracting(Ledger.Request::key).containsExactly(id + ":1");
    }

    private static StepView step(SagaView saga, int seq) {
        return saga.steps().stream().filter(s -> s.seq() == seq).findFirst().orElseThrow();
    }

    /**
     * Waits until an engine thread waits on the test clock for an attempt (in {@link TestClock#await}):
     * from then on the attempt's deadline is set, and a move of the clock counts against it.
     */
    private static void awaitAnAttemptTimedByTheTestClock() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            boolean waiting = Thread.getAllStackTraces().entrySet().stream()
                    .anyMatch(thread -> thread.getKey().getState() == Thread.State.TIMED_WAITING
                            && List.of(thread.getValue()).stream().anyMatch(frame -> frame.getClassName()
                                    .equals(TestClock.class.getName()) && frame.getMethodName().equals("await")));
            if (waiting) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("No engine thread waits on the test clock for an attempt");
    }

    /** Books a flight, sleeps a day, books a hotel. */
    static final class SleepsADay implements AgentWorkflow<String, String> {

        private final Trip trip;

        SleepsADay(Trip trip) {
            this.trip = trip;
        }

        @Override
        public String run(String destination, Saga saga) {
            String flight = saga.step(trip.bookFlight, destination);
            saga.sleep(Duration.ofHours(24));
            return flight + "; " + saga.step(trip.bookHotel, destination);
        }
    }

    /** Waits an hour for an approval that may not come. */
    static final class AwaitsApproval implements AgentWorkflow<String, String> {

        @Override
        public String run(String destination, Saga saga) {
            try {
                return saga.awaitSignal("approval", String.class, Duration.ofHours(1)) + " for " + destination;
            }
            catch (SignalTimeoutException ex) {
                return "no approval for " + destination;
            }
        }
    }

    /** Optional steps, then a quote. */
    static final class Quotes implements AgentWorkflow<String, String> {

        private final SagaAction<String, String> quote;

        private final List<TripAction> before;

        Quotes(SagaAction<String, String> quote, TripAction... before) {
            this.quote = quote;
            this.before = List.of(before);
        }

        @Override
        public String run(String destination, Saga saga) {
            before.forEach(step -> saga.step(step, destination));
            return saga.step(quote, destination);
        }
    }

    /** Fails its first attempts, with minutes of backoff; notes the test clock's offset at each attempt. */
    static final class Unreliable implements SagaAction<String, String> {

        final List<Duration> clockOffsets = new CopyOnWriteArrayList<>();

        final List<String> keys = new CopyOnWriteArrayList<>();

        private final TestClock clock;

        private final AtomicInteger failuresLeft;

        Unreliable(TestClock clock, int failures) {
            this.clock = clock;
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public String execute(String destination, ActionContext ctx) {
            clockOffsets.add(clock.offset());
            keys.add(ctx.idempotencyKey());
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("the quote service is unavailable");
            }
            return "a quote for " + destination;
        }

        @Override
        public void compensate(String destination, String output, ActionContext ctx) {
        }

        @Override
        public ActionPolicy policy() {
            return ActionPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMinutes(5), Duration.ofMinutes(10),
                    2.0);
        }
    }

    /** Hangs on its first attempt until interrupted; answers at once after. */
    static final class Hangs implements SagaAction<String, String> {

        final CountDownLatch firstAttemptStarted = new CountDownLatch(1);

        final CountDownLatch firstAttemptInterrupted = new CountDownLatch(1);

        final List<String> keys = new CopyOnWriteArrayList<>();

        private final ActionPolicy policy;

        Hangs(ActionPolicy policy) {
            this.policy = policy;
        }

        @Override
        public String execute(String destination, ActionContext ctx) throws InterruptedException {
            keys.add(ctx.idempotencyKey());
            if (ctx.attempt() == 1) {
                firstAttemptStarted.countDown();
                try {
                    new CountDownLatch(1).await();
                }
                catch (InterruptedException ex) {
                    firstAttemptInterrupted.countDown();
                    throw ex;
                }
            }
            return "a quote for " + destination;
        }

        @Override
        public void compensate(String destination, String output, ActionContext ctx) {
        }

        @Override
        public ActionPolicy policy() {
            return policy;
        }
    }
}
