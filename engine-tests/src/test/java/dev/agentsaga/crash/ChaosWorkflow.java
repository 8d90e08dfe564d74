package dev.agentsaga.crash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.crash.RecordingActions.AlwaysFails;
import dev.agentsaga.crash.RecordingActions.Compensable;
import dev.agentsaga.crash.RecordingActions.Env;
import dev.agentsaga.crash.RecordingActions.Irreversible;
import dev.agentsaga.crash.RecordingActions.ReadOnly;

/**
 * The mixed workflows of the {@link ChaosTest}. Each is a script of moves, one journal entry per move,
 * so the script is also the expected journal: an action name, {@value #SLEEP} for a durable sleep of
 * 300 to 1000 ms, or {@value #GO} for a wait on the signal of that name. A script that ends with
 * {@code decline} fails there and compensates; the others complete.
 */
enum ChaosWorkflow {

    /** COMPENSABLE and READ_ONLY steps that complete. */
    COMPLETES("chaosCompletes", "reserve", "lookup", "charge", "book", "notify"),

    /** A last step that always fails: compensates book, charge, reserve. */
    COMPENSATES("chaosCompensates", "reserve", "lookup", "charge", "book", "decline"),

    /** An IRREVERSIBLE step in the middle. */
    IRREVERSIBLE("chaosIrreversible", "reserve", "lookup", "sendEmail", "charge", "notify"),

    /** A durable sleep between steps. */
    SLEEPS("chaosSleeps", "reserve", "lookup", "sleep", "charge", "book"),

    /** A wait for the signal {@code go}, which the driver sends a little after the start. */
    SIGNAL("chaosSignal", "reserve", "go", "charge", "notify"),

    /** All of it, then a failure: compensates book (7), charge (5), reserve (1); the e-mail stays sent. */
    EVERYTHING("chaosEverything", "reserve", "lookup", "sleep", "sendEmail", "charge", "go", "book", "decline");

    static final String SLEEP = "sleep";

    static final String GO = "go";

    static final String FAILING = "decline";

    /** How long every action takes, so that kills land inside steps. */
    static final Duration STEP_PAUSE = Duration.ofMillis(10);

    private static final Duration SIGNAL_TIMEOUT = Duration.ofMinutes(30);

    private final String workflowName;

    private final List<String> script;

    ChaosWorkflow(String workflowName, String... script) {
        this.workflowName = workflowName;
        this.script = List.of(script);
    }

    String workflowName() {
        return workflowName;
    }

    /** The journal names by sequence: element 0 is step 1. */
    List<String> script() {
        return script;
    }

    boolean awaitsSignal() {
        return script.contains(GO);
    }

    SagaStatus expectedStatus() {
        return script.get(script.size() - 1).equals(FAILING) ? SagaStatus.COMPENSATED : SagaStatus.COMPLETED;
    }

    /** The workflow's output when it completes: each action's {@code name-step} and the signal's payload. */
    String expectedOutput(String sagaId) {
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < script.size(); i++) {
            String move = script.get(i);
            if (move.equals(GO)) {
                outputs.add(signalPayload(sagaId));
            }
            else if (!move.equals(SLEEP)) {
                outputs.add(move + "-" + (i + 1));
            }
        }
        return String.join(",", outputs);
    }

    static String signalPayload(String sagaId) {
        return "go:" + sagaId;
    }

    /** The reversibility of the action of that name, or null for a sleep or a signal. */
    static @Nullable Reversibility reversibilityOf(String move) {
        return switch (move) {
            case "lookup" -> Reversibility.READ_ONLY;
            case "sendEmail" -> Reversibility.IRREVERSIBLE;
            case SLEEP, GO -> null;
            default -> Reversibility.COMPENSABLE;
        };
    }

    /**
     * An engine with every chaos workflow, not yet started: a short lease so that a killed node's sagas
     * are recovered within seconds, a quick poll and heartbeat.
     */
    static SagaEngine engine(DataSource dataSource, String nodeId, Env env, SagaObserver observer) {
        return engine(dataSource, nodeId, env, observer, builder -> {
        });
    }

    /** The same engine, with {@code tuning} applied to its builder last (worker count, group commit, ...). */
    static SagaEngine engine(DataSource dataSource, String nodeId, Env env, SagaObserver observer,
            Consumer<AgentSaga.Builder> tuning) {
        Map<String, SagaAction<String, String>> actions = new LinkedHashMap<>();
        for (String name : List.of("reserve", "charge", "book", "notify")) {
            actions.put(name, new Compensable(name, env));
        }
        actions.put("lookup", new ReadOnly("lookup", env));
        actions.put("sendEmail", new Irreversible("sendEmail", env));
        actions.put(FAILING, new AlwaysFails(FAILING, env));
        AgentSaga.Builder builder = AgentSaga.builder(dataSource)
                .nodeId(nodeId)
                .leaseDuration(Duration.ofSeconds(2))
                .heartbeatInterval(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(200))
                .workerThreads(16)
                .observer(observer);
        actions.values().forEach(builder::action);
        for (ChaosWorkflow workflow : values()) {
            builder.workflow(new Script(workflow.workflowName, workflow.script, actions));
        }
        tuning.accept(builder);
        return builder.build();
    }

    /** Runs a script: actions chained on the previous output, sleeps, and waits for {@code go}. */
    static final class Script implements AgentWorkflow<String, String> {

        private final String name;

        private final List<String> moves;

        private final Map<String, SagaAction<String, String>> actions;

        Script(String name, List<String> moves, Map<String, SagaAction<String, String>> actions) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            this.moves = List.copyOf(moves);
            this.actions = Map.copyOf(actions);
        }

        @Override
        public String run(String sagaId, Saga saga) {
            List<String> outputs = new ArrayList<>();
            String value = sagaId;
            for (String move : moves) {
                if (move.equals(SLEEP)) {
                    saga.sleep(Duration.ofMillis(300 + Math.floorMod(sagaId.hashCode(), 701)));
                }
                else if (move.equals(GO)) {
                    outputs.add(saga.awaitSignal(GO, String.class, SIGNAL_TIMEOUT));
                }
                else {
                    value = saga.step(actions.get(move), value);
                    outputs.add(value);
                }
            }
            return String.join(",", outputs);
        }

        @Override
        public String name() {
            return name;
        }
    }
}
