package dev.agentsaga.sample;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import dev.agentsaga.ForkOverrides;
import dev.agentsaga.SagaComparison;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.ToolApproval;

/**
 * {@code --demo} (or {@code sample.demo=true}): plays four scenarios of the trip agent and prints each
 * saga's timeline.
 * <ol>
 * <li>the happy path; the demo approves the confirmation e-mail when the saga waits for it;</li>
 * <li>the goal names a sold-out hotel: booking it fails after the flight was booked, so the flight is
 * cancelled (compensation);</li>
 * <li>a crash mid-trip: with {@code --crash-after=bookFlight} the process halts itself right after the
 * flight was booked; running the same command again resumes the saga (fixed id {@value #CRASH_SAGA_ID})
 * from its journal without booking the flight or asking the model again;</li>
 * <li>the sold-out trip forked at the model turn that booked its flight, with a system prompt that says the
 * hotel has no rooms, and the fork compared with the original (played before 3, which may halt the
 * process).</li>
 * </ol>
 * {@code --demo=concierge} (or {@code sample.demo.agent=concierge}) plays the concierge agent's scenarios
 * instead ({@link ConciergeDemo}). {@code sample.demo.scenarios=1,3} picks scenarios.
 */
@Component
public class DemoRunner implements ApplicationRunner {

    public static final String CRASH_SAGA_ID = "demo-crash-trip";

    /** The sagas of the crash scenarios, the only ones {@link CrashSwitch} halts the process in. */
    static final Set<String> CRASH_SAGA_IDS = Set.of(CRASH_SAGA_ID, ConciergeDemo.CRASH_SAGA_ID);

    static final String HAPPY_GOAL = "3 days in Lisbon in May under 1500 EUR";

    static final String SOLD_OUT_GOAL = "3 days in Lisbon in May, staying at the " + TravelProviders.SOLD_OUT_HOTEL;

    static final String CRASH_GOAL = "2 nights in Porto in June under 900 EUR";

    /** When this JVM started: a saga that finished after it was resumed by this process, not an earlier one. */
    static final Instant PROCESS_START = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean()
            .getStartTime());

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final SagaCoordinator sagas;

    private final TravelProviders providers;

    private final CrashSwitch crash;

    private final Environment env;

    private final ObjectProvider<ScriptedModel> scripted;

    private final ConciergeDemo concierge;

    public DemoRunner(SagaCoordinator sagas, TravelProviders providers, CrashSwitch crash, Environment env,
            ObjectProvider<ScriptedModel> scripted, ConciergeDemo concierge) {
        this.scripted = scripted;
        this.concierge = concierge;
        this.sagas = sagas;
        this.providers = providers;
        this.crash = crash;
        this.env = env;
    }

    static boolean isDemo(String[] args) {
        return Arrays.stream(args).anyMatch(arg -> arg.equals("--demo") || arg.equals("--sample.demo=true")
                || (arg.startsWith("--demo=") && !arg.equals("--demo=false")));
    }

    @Override
    public void run(ApplicationArguments args) {
        List<String> demo = args.getOptionValues("demo");
        if (demo == null ? !env.getProperty("sample.demo", Boolean.class, false) : demo.contains("false")) {
            return;
        }
        String agent = demo == null || demo.isEmpty() || demo.get(0).equals("true")
                ? env.getProperty("sample.demo.agent", "trip") : demo.get(0);
        List<String> scenarios = Arrays.asList(env.getProperty("sample.demo.scenarios", "1,2,4,3")
                .split("\\s*,\\s*"));
        if (agent.equals(ConciergeWorkflow.NAME)) {
            banner("agent-saga sample: a hotel concierge agent (ChatClient, @Tool methods and an MCP server)");
            concierge.play(scenarios);
            return;
        }
        if (!agent.equals(TripWorkflow.NAME)) {
            throw new IllegalArgumentException("--demo=" + agent + ": there is no such demo; use --demo (the trip "
                    + "agent) or --demo=concierge");
        }
        banner("agent-saga sample: a trip-booking agent");
        if (scenarios.contains("1")) {
            SagaView view = play(sagas.start(TripWorkflow.NAME, HAPPY_GOAL));
            print("1. Happy path", HAPPY_GOAL, view);
        }
        SagaView soldOut = null;
        if (scenarios.contains("2")) {
            soldOut = play(sagas.start(TripWorkflow.NAME, SOLD_OUT_GOAL));
            print("2. The hotel is sold out after the flight was booked: the flight is cancelled", SOLD_OUT_GOAL,
                    soldOut);
        }
        if (scenarios.contains("4")) {
            forkScenario(soldOut != null ? soldOut : play(sagas.start(TripWorkflow.NAME, SOLD_OUT_GOAL)));
        }
        if (scenarios.contains("3")) {
            crashScenario();
        }
        System.out.println("Done. The journal is kept in the database (./data by default); the HTTP API runs without "
                + "--demo, see README.");
    }

    /**
     * Forks the sold-out trip at the model turn that booked its flight, with a system prompt that tells the
     * model the hotel has no rooms, and compares the fork with the original.
     */
    private void forkScenario(SagaView soldOut) {
        int bookFlight = soldOut.steps().stream().filter(step -> step.name().equals("bookFlight"))
                .mapToInt(StepView::seq).findFirst().orElseThrow();
        int fromStep = bookFlight - 1;
        String prompt = TripWorkflow.SYSTEM_PROMPT + "\n" + TravelProviders.SOLD_OUT_HOTEL + " "
                + ScriptedTripModel.NO_ROOMS + ": book the cheapest other hotel instead.";
        SagaHandle fork = sagas.fork(soldOut.id(), fromStep, ForkOverrides.none().withSystemPrompt(prompt));
        System.out.println(">>> Scenario 4: forked saga " + soldOut.id() + " at step " + fromStep + " (the model turn "
                + "that booked the flight) as saga " + fork.id() + ", with a system prompt that says the "
                + TravelProviders.SOLD_OUT_HOTEL + " has no rooms. Steps 1 to " + (fromStep - 1) + " (the searches) "
                + "are replayed from the original's journal, not run or asked again, and never undone by the fork.");
        SagaView view = play(fork);
        print("4. What would the agent have done with another prompt? A fork from step " + fromStep + ", compared",
                SOLD_OUT_GOAL, view);
        SagaComparison comparison = sagas.compare(soldOut.id(), fork.id());
        System.out.println("  compared with the original: the runs part at step " + comparison.divergedAt());
        for (SagaComparison.StepDifference difference : comparison.differences()) {
            System.out.println("    step " + difference.seq() + ": " + side(difference.a(), difference.toolCallsA())
                    + "  |  " + side(difference.b(), difference.toolCallsB()));
        }
        System.out.println("  original: " + comparison.a().status() + ", " + comparison.a().tokens() + " tokens;  fork: "
                + comparison.b().status() + ", " + comparison.b().tokens() + " tokens of its own");
        System.out.println();
    }

    private static String side(SagaComparison.@Nullable Entry entry, List<SagaComparison.ToolCall> calls) {
        if (entry == null) {
            return "(no step)";
        }
        String asked = calls.isEmpty() ? "" : " -> " + String.join(", ", calls.stream()
                .map(call -> call.name() + " " + call.arguments()).toList());
        String text = entry.kind() + " " + entry.name() + " " + entry.status() + asked;
        return text.length() > 110 ? text.substring(0, 107) + "..." : text;
    }

    private void crashScenario() {
        String title = "3. A crash mid-trip, then a resume";
        if (notPlayedYet(sagas, crash, title, CRASH_SAGA_ID, "--crash-after=bookFlight: the process halts right after "
                + "the flight is booked")) {
            return;
        }
        SagaHandle handle = sagas.start(TripWorkflow.NAME, CRASH_GOAL, CRASH_SAGA_ID);
        announce(handle, sagas.find(CRASH_SAGA_ID).orElseThrow(), crash, "The flight booking and the model calls "
                + "before the crash are replayed from the journal, not run or asked again.");
        SagaView view = play(handle);
        print(title, CRASH_GOAL, view);
        System.out.println("  model calls for this goal (table model_call, scripted model): " + modelCalls(CRASH_GOAL)
                + "; LLM steps in the journal: " + view.steps().stream().filter(s -> s.kind().name().equals("LLM"))
                        .count());
        System.out.println();
    }

    /**
     * When the crash scenario was not played yet and no crash is asked for, says how to play it; true then.
     * {@code how} is the crash switch and what it halts after.
     */
    static boolean notPlayedYet(SagaCoordinator sagas, CrashSwitch crash, String title, String sagaId, String how) {
        if (sagas.find(sagaId).isPresent() || !crash.crashAfter().isEmpty()) {
            return false;
        }
        System.out.println("=== " + title);
        System.out.println("  Not played yet. Run the demo with " + how + ".");
        System.out.println("  Then run the same command again: saga " + sagaId + " resumes from its journal.\n");
        return true;
    }

    /**
     * Says whether the crash saga starts now, finished in an earlier run, or was resumed by this process (the
     * engine takes it back at start-up, so it may have finished while the other scenarios ran).
     */
    static void announce(SagaHandle handle, SagaView before, CrashSwitch crash, String replayed) {
        String sagaId = handle.id();
        if (handle.created()) {
            System.out.println(">>> Scenario 3: started saga " + sagaId + "; with crash-after=" + crash.crashAfter()
                    + " the process halts right after that step.");
        }
        else if (before.status().isTerminal() && before.updatedAt().isBefore(PROCESS_START)) {
            System.out.println(">>> Scenario 3: saga " + sagaId + " already finished in an earlier run ("
                    + before.status() + "); delete ./data to play the crash again.");
        }
        else {
            System.out.println(">>> Scenario 3: RESUMED saga " + sagaId + " from its journal (the engine took it back "
                    + "at start-up, agent.saga.node-id being stable). " + replayed);
        }
    }

    /** Drives a saga to its end: approves the confirmation e-mail when the saga waits for it. */
    private SagaView play(SagaHandle handle) {
        boolean approved = false;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            SagaView view = sagas.find(handle.id()).orElseThrow();
            SagaStatus status = view.status();
            if (status.isTerminal() || status == SagaStatus.NEEDS_ATTENTION
                    || status == SagaStatus.COMPENSATION_FAILED) {
                return view;
            }
            if (status == SagaStatus.WAITING && !approved) {
                System.out.println(">>> saga " + handle.id() + " is WAITING for approval of sendConfirmation "
                        + "(IRREVERSIBLE); the demo operator approves it: signal '" + TripWorkflow.APPROVAL_SIGNAL
                        + "'");
                sagas.signal(handle.id(), TripWorkflow.APPROVAL_SIGNAL,
                        ToolApproval.approve("demo-operator", "looks right"));
                approved = true;
            }
            if (System.nanoTime() > deadline) {
                return view;
            }
            sleep();
        }
    }

    private void print(String title, String goal, SagaView view) {
        print(title, "goal", goal, view, providers, List.of("flight_booking", "hotel_booking", "card_charge",
                "email_outbox"));
    }

    /** Prints a saga: its status, tokens, answer or error, timeline and the provider records made for it. */
    static void print(String title, String inputLabel, String input, SagaView view, TravelProviders providers,
            List<String> providerNames) {
        System.out.println();
        System.out.println("=== " + title);
        System.out.println("  " + String.format("%-7s", inputLabel + ":") + " " + input);
        System.out.println("  saga:   " + view.id() + "   status: " + view.status() + "   tokens spent: "
                + view.tokensSpent() + ", saved by replay after a crash: " + view.tokensSaved()
                + ", replayed after waits: " + view.tokensReplayed());
        if (view.output() != null) {
            System.out.println("  answer: " + TripController.text(view.output()));
        }
        if (view.error() != null) {
            System.out.println("  error:  " + view.error());
        }
        System.out.print(Timeline.table(view));
        if (!Timeline.compensations(view).isEmpty()) {
            System.out.println("  compensations in the order they ran: " + String.join(", then ",
                    Timeline.compensations(view)));
        }
        for (String provider : providerNames) {
            List<String> rows = providers.records(provider, view.id());
            if (!rows.isEmpty()) {
                System.out.println("  provider " + provider + ": " + rows);
            }
        }
        System.out.println();
    }

    private int modelCalls(String goal) {
        return providers.modelCalls(goal);
    }

    private void banner(String title) {
        System.out.println();
        System.out.println(title);
        System.out.println(scripted.getIfAvailable() != null
                ? "model: " + ScriptedTripModel.LABEL + " SCRIPTED, no OPENAI_API_KEY: a fixed, deterministic "
                        + "tool-calling conversation, not a real LLM"
                : "model: OpenAI (OPENAI_API_KEY is set)");
        System.out.println();
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
