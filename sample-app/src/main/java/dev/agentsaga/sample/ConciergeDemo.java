package dev.agentsaga.sample;

import java.time.Duration;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;

/**
 * {@code --demo=concierge}: plays the concierge agent's scenarios and prints each saga's timeline.
 * <ol>
 * <li>the happy path: a table reserved through the restaurants' MCP server, tickets bought and charged to
 * the guest's room through {@code @Tool} methods;</li>
 * <li>the guest's room has checked out: the room charge fails after the table was reserved and the tickets
 * bought, so the tickets are refunded (the declared undo method) and then the reservation is cancelled (the
 * MCP server's {@code cancel_reservation}), newest first;</li>
 * <li>a crash: with {@code --crash-after=buyTickets} the process halts itself right after the tickets were
 * bought; running the same command again resumes the saga (fixed id {@value #CRASH_SAGA_ID}) from its
 * journal without reserving, buying or asking the model again.</li>
 * </ol>
 */
@Component
public class ConciergeDemo {

    public static final String CRASH_SAGA_ID = "demo-crash-concierge";

    static final String HAPPY_REQUEST = "A table for 2 on Friday at 20:00, then tickets for the fado show; "
            + "charge them to room 312";

    static final String CHECKED_OUT_REQUEST = "A table for 2 on Friday at 20:00, then tickets for the fado show; "
            + "charge them to room " + TravelProviders.CHECKED_OUT_ROOM;

    static final String CRASH_REQUEST = "A table for 4 on Friday at 19:30, then tickets for the orchestra; "
            + "charge them to room 207";

    static final List<String> PROVIDERS = List.of("restaurant_table", "box_office", "room_bill");

    private static final Duration TIMEOUT = Duration.ofSeconds(60);


    private final SagaCoordinator sagas;

    private final TravelProviders providers;

    private final CrashSwitch crash;

    public ConciergeDemo(SagaCoordinator sagas, TravelProviders providers, CrashSwitch crash) {
        this.sagas = sagas;
        this.providers = providers;
        this.crash = crash;
    }

    /** Plays the scenarios named ("1", "2", "3"). */
    void play(List<String> scenarios) {
        if (scenarios.contains("1")) {
            SagaView view = awaitEnd(sagas.start(ConciergeWorkflow.NAME, HAPPY_REQUEST));
            print("1. Happy path", HAPPY_REQUEST, view);
        }
        if (scenarios.contains("2")) {
            SagaView view = awaitEnd(sagas.start(ConciergeWorkflow.NAME, CHECKED_OUT_REQUEST));
            print("2. Room " + TravelProviders.CHECKED_OUT_ROOM + " has checked out: the tickets are refunded, then "
                    + "the table is cancelled", CHECKED_OUT_REQUEST, view);
        }
        if (scenarios.contains("3")) {
            crashScenario();
        }
        System.out.println("Done. The concierge is a ChatClient with @Tool methods and the tools of an MCP server; "
                + "the journal is kept in the database (./data by default).");
    }

    private void crashScenario() {
        String title = "3. A crash after the tickets were bought, then a resume";
        if (DemoRunner.notPlayedYet(sagas, crash, title, CRASH_SAGA_ID, "--crash-after=buyTickets: the process halts "
                + "right after the tickets are bought")) {
            return;
        }
        SagaHandle handle = sagas.start(ConciergeWorkflow.NAME, CRASH_REQUEST, CRASH_SAGA_ID);
        DemoRunner.announce(handle, sagas.find(CRASH_SAGA_ID).orElseThrow(), crash, "The table, the tickets and the "
                + "model calls before the crash are replayed from the journal, not made or asked again.");
        SagaView view = awaitEnd(handle);
        print(title, CRASH_REQUEST, view);
        System.out.println("  model calls for this request (table model_call, scripted model): "
                + providers.modelCalls(CRASH_REQUEST) + "; LLM steps in the journal: "
                + view.steps().stream().filter(step -> step.kind() == StepKind.LLM).count());
        System.out.println();
    }

    private SagaView awaitEnd(SagaHandle handle) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            SagaView view = sagas.find(handle.id()).orElseThrow();
            SagaStatus status = view.status();
            if (status.isTerminal() || status == SagaStatus.NEEDS_ATTENTION || status == SagaStatus.COMPENSATION_FAILED
                    || System.nanoTime() > deadline) {
                return view;
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private void print(String title, String request, SagaView view) {
        DemoRunner.print(title, "request", request, view, providers, PROVIDERS);
    }
}
