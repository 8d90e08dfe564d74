package dev.agentsaga.test;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.test.Ledger.Op;
import dev.agentsaga.test.Ledger.Request;

/**
 * The five-step trip crashed at every point in turn, after each step was journaled and after each
 * action's effect (before its result is journaled), then resumed by a restarted engine.
 */
@SagaTest
class TripCrashTest {

    /** A crash point of the trip; {@code reexecuted} is the action whose effect the journal missed. */
    record CrashPoint(String name, Consumer<Crashes> set, int journaledSteps, @Nullable String reexecuted) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<CrashPoint> everyCrashPoint() {
        Stream<CrashPoint> afterSteps = IntStream.rangeClosed(1, 5).mapToObj(n -> new CrashPoint("afterStep(" + n + ")",
                crashes -> crashes.afterStep(n), n, null));
        Stream<CrashPoint> afterEffects = IntStream.rangeClosed(1, 5).mapToObj(n -> {
            String action = Trip.STEPS.get(n - 1);
            return new CrashPoint("afterEffectOf(" + action + ")", crashes -> crashes.afterEffectOf(action), n - 1,
                    action);
        });
        return Stream.concat(afterSteps, afterEffects);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyCrashPoint")
    void aTripCrashedAtAnyPointResumesAndCompletesWithEveryEffectOnce(CrashPoint crash, SagaTestEnvironment env) {
        Trip trip = new Trip();
        env.configure(trip::register);
        crash.set().accept(env.crashes());

        String id = env.start(Trip.WORKFLOW, "Lisbon").id();
        env.awaitCrash();
        int journaledAtCrash = journaledSteps(env, id);
        List<Request> receivedAtCrash = trip.ledger.requests();
        env.restart();
        SagaView resumed = env.awaitFinal(id);

        assertThat(journaledAtCrash).as("steps journaled when the engine died").isEqualTo(crash.journaledSteps());
        assertThat(receivedAtCrash).as("requests the downstream had received when the engine died")
                .hasSize(crash.reexecuted() == null ? crash.journaledSteps() : crash.journaledSteps() + 1);
        assertThatSaga(resumed).isCompleted().hasStepNames(Trip.STEPS.toArray(String[]::new));
        assertThat(resumed.output()).isEqualTo("\"searchFlights for Lisbon; bookFlight for Lisbon; bookHotel for "
                + "Lisbon; chargeCard for Lisbon; sendConfirmation for Lisbon\"");
        for (StepView step : resumed.steps()) {
            assertThat(step.idempotencyKey()).isEqualTo(Trip.key(id, step.seq()));
            assertThat(step.attempts()).as("attempts of " + step.name()).isEqualTo(1);
        }
        assertThat(trip.ledger.effects(Op.EXECUTE)).as("the effects the downstream applied, deduped by key")
                .containsExactlyElementsOf(expectedEffects(id));
        for (int seq = 1; seq <= 5; seq++) {
            String action = Trip.STEPS.get(seq - 1);
            List<String> expectedKeys = action.equals(crash.reexecuted())
                    ? List.of(Trip.key(id, seq), Trip.key(id, seq))
                    : List.of(Trip.key(id, seq));
            assertThat(trip.ledger.keysReceived(Op.EXECUTE, action)).as("requests to " + action)
                    .containsExactlyElementsOf(expectedKeys);
        }
        assertThat(trip.ledger.requestsPerKey(Op.EXECUTE)).containsOnlyKeys(IntStream.rangeClosed(1, 5)
                .mapToObj(seq -> Trip.key(id, seq)).toList());
        assertThat(trip.ledger.effects(Op.COMPENSATE)).as("nothing was undone").isEmpty();
    }

    private static List<Request> expectedEffects(String id) {
        List<Request> effects = new ArrayList<>();
        for (int seq = 1; seq <= 5; seq++) {
            effects.add(new Request(Op.EXECUTE, Trip.STEPS.get(seq - 1), Trip.key(id, seq)));
        }
        return effects;
    }

    /** What the journal holds, read past the crashed engine (whose connections are dead). */
    private static int journaledSteps(SagaTestEnvironment env, String id) {
        Integer steps = env.database().jdbc().queryForObject("SELECT count(*) FROM " + env.database().tablePrefix()
                + "step WHERE saga_id = ? AND status <> 'STARTED'", Integer.class, id);
        return steps == null ? 0 : steps;
    }
}
