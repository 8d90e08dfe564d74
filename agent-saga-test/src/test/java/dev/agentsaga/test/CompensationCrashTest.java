package dev.agentsaga.test;

import static dev.agentsaga.test.SagaAssertions.assertThatSaga;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.agentsaga.SagaView;
import dev.agentsaga.StepStatus;
import dev.agentsaga.test.Ledger.Op;
import dev.agentsaga.test.Ledger.Request;

/**
 * The trip's last step fails for good, so the engine undoes the bookings in reverse order; the engine
 * dies inside one of the compensations and a restarted one goes on compensating.
 */
@SagaTest
class CompensationCrashTest {

    private static final List<String> UNDONE_IN_ORDER = List.of("chargeCard", "bookHotel", "bookFlight");

    @ParameterizedTest(name = "crash inside the compensation of {0}")
    @ValueSource(strings = { "bookHotel", "chargeCard", "bookFlight" })
    void aCrashInsideACompensationResumesAndCompensatesEachStepOnceInReverseOrder(String crashedIn,
            SagaTestEnvironment env) {
        Trip trip = new Trip();
        trip.sendConfirmation.unavailable();
        env.configure(trip::register);
        env.crashes().insideCompensationOf(crashedIn);

        String id = env.start(Trip.WORKFLOW, "Lisbon").id();
        env.awaitCrash();
        Map<Integer, String> journalAtCrash = stepStatuses(env, id);
        env.restart();
        SagaView undone = env.awaitFinal(id);

        int crashedSeq = Trip.STEPS.indexOf(crashedIn) + 1;
        assertThat(journalAtCrash.get(crashedSeq)).as("the step whose compensation was under way")
                .isEqualTo(StepStatus.COMPENSATING.name());
        assertThatSaga(undone).isCompensated().hasErrorContaining("sendConfirmation")
                .compensatedInOrder(UNDONE_IN_ORDER.toArray(String[]::new));
        assertThat(undone.steps()).extracting(s -> s.status().name()).containsExactly("SUCCEEDED", "COMPENSATED",
                "COMPENSATED", "COMPENSATED", "FAILED");
        assertThat(trip.ledger.effects(Op.COMPENSATE)).as("the undos the downstream applied, deduped by key")
                .containsExactly(new Request(Op.COMPENSATE, "chargeCard", Trip.key(id, 4)),
                        new Request(Op.COMPENSATE, "bookHotel", Trip.key(id, 3)),
                        new Request(Op.COMPENSATE, "bookFlight", Trip.key(id, 2)));
        for (String action : UNDONE_IN_ORDER) {
            String key = Trip.key(id, Trip.STEPS.indexOf(action) + 1);
            assertThat(trip.ledger.keysReceived(Op.COMPENSATE, action)).as("undo requests to " + action)
                    .containsExactlyElementsOf(action.equals(crashedIn) ? List.of(key, key) : List.of(key));
        }
        assertThat(trip.ledger.keysReceived(Op.COMPENSATE, "searchFlights")).as("READ_ONLY: nothing to undo").isEmpty();
        assertThat(trip.ledger.keysReceived(Op.EXECUTE, "sendConfirmation")).as("it never got through").isEmpty();
    }

    /** The journal's step statuses by sequence, read past the crashed engine (whose connections are dead). */
    private static Map<Integer, String> stepStatuses(SagaTestEnvironment env, String id) {
        Map<Integer, String> statuses = new TreeMap<>();
        env.database().jdbc().query("SELECT seq, status FROM " + env.database().tablePrefix()
                + "step WHERE saga_id = ?", row -> {
                    statuses.put(row.getInt("seq"), row.getString("status"));
                }, id);
        return statuses;
    }
}
