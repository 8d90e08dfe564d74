package dev.agentsaga.test;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.Reversibility;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.SagaObserver;

/**
 * Crash points of one engine. In a {@link SagaTestEnvironment}, when a point is reached the engine dies
 * as a killed process does: its database connections fail from that moment, so nothing more of it is
 * journaled and no compensation starts, and the thread is unwound by a {@link SimulatedCrash}. The same
 * points can halt a whole JVM instead ({@link #haltingTheJvm()}), for an engine in a {@link ChildJvm}.
 * Each point fires once; the first one reached crashes the engine. A saga id narrows a point to one saga.
 */
public final class Crashes {

    /** The exit code of a JVM that a halting crash point stopped, as a SIGKILL gives. */
    public static final int HALT_EXIT_CODE = 137;

    private final @Nullable KillableDataSource database;

    private final List<Point> points = new CopyOnWriteArrayList<>();

    private final CountDownLatch crashed = new CountDownLatch(1);

    private volatile @Nullable String crashedAt;

    Crashes(@Nullable KillableDataSource database) {
        this.database = database;
    }

    /**
     * Crash points that halt the JVM ({@code Runtime.halt}, exit code {@value #HALT_EXIT_CODE}) when
     * reached: register {@link #observer()} on the engine of a child JVM.
     */
    public static Crashes haltingTheJvm() {
        return new Crashes(null);
    }

    /** After step {@code seq}'s outcome is journaled (committed), before anything of the next step. */
    public Crashes afterStep(int seq) {
        return afterStep(seq, null);
    }

    /** After step {@code seq} of saga {@code sagaId} is journaled. */
    public Crashes afterStep(int seq, @Nullable String sagaId) {
        return add("after step " + seq + " was journaled", sagaId, Moment.JOURNALED,
                event -> event.step().seq() == seq && event.status() != StepStatus.STARTED);
    }

    /**
     * After the action's {@code execute} returned, before its result is journaled: the effect happened and
     * the journal does not know it.
     */
    public Crashes afterEffectOf(String action) {
        return afterEffectOf(action, null);
    }

    /** After the effect of {@code action} in saga {@code sagaId}. */
    public Crashes afterEffectOf(String action, @Nullable String sagaId) {
        return add("after the effect of " + action, sagaId, Moment.EXECUTED,
                event -> event.step().name().equals(action) && event.status() == StepStatus.SUCCEEDED);
    }

    /** After an IRREVERSIBLE action's intent is journaled, before it runs: the restarted engine finds it in doubt. */
    public Crashes afterIntentOf(String action) {
        return add("after the intent of " + action, null, Moment.JOURNALED,
                event -> event.step().name().equals(action) && event.status() == StepStatus.STARTED
                        && event.step().reversibility() == Reversibility.IRREVERSIBLE);
    }

    /** After the action's {@code compensate} returned, before the compensation is recorded. */
    public Crashes insideCompensationOf(String action) {
        return add("inside the compensation of " + action, null, Moment.COMPENSATED,
                event -> event.step().name().equals(action) && event.status() == StepStatus.COMPENSATED);
    }

    /** Where the engine crashed, or null while it has not. */
    public @Nullable String crashedAt() {
        return crashedAt;
    }

    /** Whether the engine crashed. */
    public boolean crashed() {
        return crashedAt != null;
    }

    /**
     * Waits until the engine crashed.
     * @throws AssertionError when it did not within {@code timeout}
     */
    public void await(Duration timeout) {
        try {
            if (!crashed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("No crash point was reached within " + timeout + "; the points set: "
                        + points.stream().map(Point::where).toList());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a crash", ex);
        }
    }

    /** The observer that reaches the points; an environment registers it on its engine itself. */
    public SagaObserver observer() {
        return new SagaObserver() {

            @Override
            public StepObservation stepStarted(StepEvent step) {
                return (outcome, attempts, failure) -> reached(Moment.EXECUTED,
                        new Event(step, "succeeded".equals(outcome) ? StepStatus.SUCCEEDED : StepStatus.FAILED));
            }

            @Override
            public void stepJournaled(StepEvent step, StepStatus status) {
                reached(Moment.JOURNALED, new Event(step, status));
            }

            @Override
            public void compensationEnded(StepEvent step, boolean succeeded, int attempts) {
                if (succeeded) {
                    reached(Moment.COMPENSATED, new Event(step, StepStatus.COMPENSATED));
                }
            }
        };
    }

    private Crashes add(String where, @Nullable String sagaId, Moment moment, Predicate<Event> matches) {
        points.add(new Point(where + (sagaId == null ? "" : " of saga " + sagaId), moment,
                event -> (sagaId == null || sagaId.equals(event.step().sagaId())) && matches.test(event)));
        return this;
    }

    private void reached(Moment moment, Event event) {
        if (database != null && database.killed()) {
            throw new SimulatedCrash("(the engine was crashed before)");
        }
        for (Point point : points) {
            if (point.moment() == moment && point.matches().test(event) && points.remove(point)) {
                crash(point.where() + ", in saga " + event.step().sagaId());
            }
        }
    }

    private void crash(String where) {
        KillableDataSource engineDatabase = database;
        if (engineDatabase == null) {
            System.out.println("Crashes: halting the JVM " + where);
            System.out.flush();
            Runtime.getRuntime().halt(HALT_EXIT_CODE);
            throw new SimulatedCrash(where);
        }
        synchronized (this) {
            if (crashedAt == null) {
                engineDatabase.kill();
                crashedAt = where;
                crashed.countDown();
            }
        }
        throw new SimulatedCrash(where);
    }

    private enum Moment { EXECUTED, JOURNALED, COMPENSATED }

    private record Event(SagaObserver.StepEvent step, StepStatus status) {
    }

    private record Point(String where, Moment moment, Predicate<Event> matches) {

        Point {
            Objects.requireNonNull(where);
        }
    }
}
