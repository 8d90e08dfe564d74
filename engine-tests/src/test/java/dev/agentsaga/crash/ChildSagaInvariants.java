package dev.agentsaga.crash;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.crash.Downstream.Phase;

/**
 * What must hold for every trip of a {@link ChildSagaCrashTest} once everything rests, read from the journal
 * and the downstream tables: the trip and both its children COMPENSATED, exactly two children, each step's
 * effect and its undo exactly once by idempotency key, an action run again (with the same key) only when a
 * killed (or fenced-off) run did not journal its previous attempt, and the compensations one after the other
 * in the order hotel (newest first), flight (newest first), budget, each finished before the next began, all
 * after the last execution.
 * Violations are collected, so that one run reports all of them.
 */
final class ChildSagaInvariants {

    /** One row of {@code crash_attempt}; {@code finished} numbers its end among all begins and ends. */
    record Attempt(long id, String sagaId, String key, int step, String action, Phase phase, int run,
            @Nullable String outcome, @Nullable Long finished) {

        /** The moment it ended, or for an attempt that ended without a number (failed, cut short) its begin. */
        long end() {
            return finished != null ? finished : id;
        }

        @Override
        public String toString() {
            return "#" + id + " " + key + " " + action + " " + phase + " run " + run + " " + outcome
                    + (finished != null ? " finished #" + finished : "");
        }
    }

    /** A step of the tree that has an effect and an undo: the saga, its step, the action. */
    private record Unit(String sagaId, int step, String action) {

        String key() {
            return sagaId + ":" + step;
        }
    }

    private final SagaCoordinator engine;

    private final JdbcTemplate jdbc;

    private final Set<Integer> killedRuns;

    private final Set<String> takenOver;

    private final List<String> violations = new ArrayList<>();

    /**
     * {@code takenOver}: {@code run + " " + sagaId} for each run that logged it was fenced off a saga (paused
     * past its lease): such a run may have finished an attempt that the saga's new owner repeats.
     */
    ChildSagaInvariants(SagaCoordinator engine, JdbcTemplate jdbc, Set<Integer> killedRuns, Set<String> takenOver) {
        this.engine = engine;
        this.jdbc = jdbc;
        this.killedRuns = Set.copyOf(killedRuns);
        this.takenOver = Set.copyOf(takenOver);
    }

    List<String> violations() {
        return violations;
    }

    void check(List<String> trips) {
        Integer sagas = jdbc.queryForObject("SELECT count(*) FROM agent_saga_instance", Integer.class);
        if (sagas == null || sagas != trips.size() * 3) {
            violations.add(sagas + " sagas in the journal, expected " + trips.size() * 3
                    + " (each trip and its two children)");
        }
        trips.forEach(this::checkTrip);
    }

    private void checkTrip(String trip) {
        String flight = trip + ":2";
        String hotel = trip + ":3";
        checkSaga(trip, null, List.of("1 " + ChildSagaTrip.RESERVE + " ACTION COMPENSATED",
                "2 " + ChildSagaTrip.FLIGHT + " CHILD COMPENSATED", "3 " + ChildSagaTrip.HOTEL + " CHILD COMPENSATED",
                "4 " + ChildSagaTrip.DECLINE + " ACTION FAILED"));
        checkSaga(flight, trip, journal(ChildSagaTrip.FLIGHT_STEPS));
        checkSaga(hotel, trip, journal(ChildSagaTrip.HOTEL_STEPS));
        engine.find(trip).ifPresent(view -> {
            List<String> tree = view.children().stream().map(child -> child.id() + " step " + child.step() + " "
                    + child.workflow() + " " + child.status() + " " + child.children().size() + " children").toList();
            List<String> expected = List.of(flight + " step 2 " + ChildSagaTrip.FLIGHT + " COMPENSATED 0 children",
                    hotel + " step 3 " + ChildSagaTrip.HOTEL + " COMPENSATED 0 children");
            if (!tree.equals(expected)) {
                violations.add(trip + ": children " + tree + ", expected " + expected);
            }
        });
        List<String> rows = jdbc.query("SELECT id, parent_id, parent_step FROM agent_saga_instance WHERE parent_id = ? "
                + "OR id LIKE ? ORDER BY id", (rs, i) -> rs.getString(1) + " of " + rs.getString(2) + " step "
                        + rs.getString(3), trip, trip + ":%");
        List<String> expectedRows = List.of(flight + " of " + trip + " step 2", hotel + " of " + trip + " step 3");
        if (!rows.equals(expectedRows)) {
            violations.add(trip + ": child sagas in the journal " + rows + ", expected " + expectedRows);
        }

        List<Unit> compensationOrder = new ArrayList<>();
        for (int step = 3; step >= 1; step--) {
            compensationOrder.add(new Unit(hotel, step, ChildSagaTrip.HOTEL_STEPS.get(step - 1)));
        }
        for (int step = 3; step >= 1; step--) {
            compensationOrder.add(new Unit(flight, step, ChildSagaTrip.FLIGHT_STEPS.get(step - 1)));
        }
        compensationOrder.add(new Unit(trip, 1, ChildSagaTrip.RESERVE));
        List<Attempt> attempts = attempts(trip);
        checkEffects(trip, compensationOrder);
        checkAttempts(trip, compensationOrder, attempts);
        checkOrder(trip, compensationOrder, attempts);
    }

    private static List<String> journal(List<String> bookings) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < bookings.size(); i++) {
            lines.add((i + 1) + " " + bookings.get(i) + " ACTION COMPENSATED");
        }
        return lines;
    }

    private void checkSaga(String id, @Nullable String parentId, List<String> expectedJournal) {
        SagaView view = engine.find(id).orElse(null);
        if (view == null) {
            violations.add(id + " is not in the journal");
            return;
        }
        if (view.status() != SagaStatus.COMPENSATED) {
            violations.add(id + " rests as " + view.status() + ", expected COMPENSATED; error: " + view.error());
        }
        if (!Objects.equals(view.parentId(), parentId)) {
            violations.add(id + " has parent " + view.parentId() + ", expected " + parentId);
        }
        List<String> journal = view.steps().stream()
                .map(step -> step.seq() + " " + step.name() + " " + step.kind() + " " + step.status()).toList();
        if (!journal.equals(expectedJournal)) {
            violations.add(id + " journaled " + journal + ", expected " + expectedJournal);
        }
        for (StepView step : view.steps()) {
            if (!step.idempotencyKey().equals(id + ":" + step.seq())) {
                violations.add(id + " step " + step.seq() + " has the key " + step.idempotencyKey());
            }
        }
    }

    /** Each booking's effect and its undo exactly once, and no other effect in the tree. */
    private void checkEffects(String trip, List<Unit> units) {
        Map<String, Long> found = jdbc.query("SELECT idempotency_key, action, kind FROM crash_effect "
                + "WHERE saga_id = ? OR saga_id LIKE ?", (rs, i) -> rs.getString(1) + " " + rs.getString(2) + " "
                        + rs.getString(3), trip, trip + ":%")
                .stream().collect(Collectors.groupingBy(effect -> effect, TreeMap::new, Collectors.counting()));
        Map<String, Long> expected = new TreeMap<>();
        for (Unit unit : units) {
            expected.put(unit.key() + " " + unit.action() + " DO", 1L);
            expected.put(unit.key() + " " + unit.action() + " UNDO", 1L);
        }
        if (!found.equals(expected)) {
            violations.add(trip + ": effects by key " + found + ", expected each once: " + expected.keySet());
        }
    }

    /**
     * Every booking executed and compensated to its end; an earlier attempt with the same key only by a run that
     * was killed before it journaled the outcome (or was fenced off the saga); the declined step never
     * compensated.
     */
    private void checkAttempts(String trip, List<Unit> units, List<Attempt> attempts) {
        for (Attempt attempt : attempts) {
            if (!attempt.key().equals(attempt.sagaId() + ":" + attempt.step())) {
                violations.add(trip + ": attempt " + attempt + " does not carry its step's key");
            }
            if (attempt.outcome() == null && !killedRuns.contains(attempt.run())) {
                violations.add(trip + ": attempt " + attempt + " never ended, but its run was not killed");
            }
            if (attempt.action().equals(ChildSagaTrip.DECLINE) && !"FAILED".equals(attempt.outcome())
                    && attempt.outcome() != null) {
                violations.add(trip + ": the declined step " + attempt);
            }
        }
        for (Unit unit : units) {
            for (Phase phase : Phase.values()) {
                List<Attempt> same = attempts.stream()
                        .filter(attempt -> attempt.key().equals(unit.key()) && attempt.phase() == phase).toList();
                if (same.isEmpty() || !"OK".equals(same.get(same.size() - 1).outcome())) {
                    violations.add(trip + ": " + unit + " " + phase + " did not end OK: " + same);
                    continue;
                }
                for (Attempt earlier : same.subList(0, same.size() - 1)) {
                    boolean fencedOff = takenOver.contains(earlier.run() + " " + unit.sagaId());
                    if (!killedRuns.contains(earlier.run()) && !fencedOff) {
                        violations.add(trip + ": " + unit.key() + " " + unit.action() + " " + phase + " ran again "
                                + "after " + earlier + ", whose run was neither killed nor fenced off: " + same);
                    }
                }
            }
        }
    }

    /**
     * The compensations began in the order of {@code units}, each began after the previous one finished, and
     * the first after the last execution finished.
     */
    private void checkOrder(String trip, List<Unit> units, List<Attempt> attempts) {
        List<Attempt> compensations = attempts.stream().filter(attempt -> attempt.phase() == Phase.COMPENSATE)
                .sorted(Comparator.comparingLong(Attempt::id)).toList();
        List<String> began = compensations.stream().map(Attempt::key).distinct().toList();
        List<String> expected = units.stream().map(Unit::key).toList();
        if (!began.equals(expected)) {
            violations.add(trip + ": compensations began in the order " + began + ", expected " + expected);
            return;
        }
        Map<String, List<Attempt>> byKey = compensations.stream()
                .collect(Collectors.groupingBy(Attempt::key, LinkedHashMap::new, Collectors.toList()));
        for (int i = 0; i + 1 < units.size(); i++) {
            long ended = byKey.get(units.get(i).key()).stream().filter(attempt -> attempt.finished() != null)
                    .mapToLong(Attempt::end).max().orElse(Long.MAX_VALUE);
            Attempt next = byKey.get(units.get(i + 1).key()).get(0);
            if (ended > next.id()) {
                violations.add(trip + ": the undo of " + units.get(i).key() + " finished at #" + ended + ", after the "
                        + "undo of " + units.get(i + 1).key() + " began: " + next);
            }
        }
        long lastExecution = attempts.stream().filter(attempt -> attempt.phase() == Phase.EXECUTE)
                .mapToLong(Attempt::end).max().orElse(Long.MIN_VALUE);
        if (compensations.get(0).id() < lastExecution) {
            violations.add(trip + ": the first compensation " + compensations.get(0) + " began before the last "
                    + "execution ended (#" + lastExecution + ")");
        }
    }

    private List<Attempt> attempts(String trip) {
        return jdbc.query("""
                SELECT id, saga_id, idempotency_key, step, action, phase, run, outcome, finished
                FROM crash_attempt WHERE saga_id = ? OR saga_id LIKE ? ORDER BY id""",
                (rs, i) -> new Attempt(rs.getLong("id"), rs.getString("saga_id"), rs.getString("idempotency_key"),
                        rs.getInt("step"), rs.getString("action"), Phase.valueOf(rs.getString("phase")),
                        rs.getInt("run"), rs.getString("outcome"), (Long) rs.getObject("finished")),
                trip, trip + ":%");
    }
}
