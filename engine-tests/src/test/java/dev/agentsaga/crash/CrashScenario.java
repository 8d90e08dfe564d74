package dev.agentsaga.crash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import javax.sql.DataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.crash.RecordingActions.AlwaysFails;
import dev.agentsaga.crash.RecordingActions.Compensable;
import dev.agentsaga.crash.RecordingActions.Env;
import dev.agentsaga.crash.RecordingActions.Irreversible;
import dev.agentsaga.crash.RecordingActions.ReadOnly;

/**
 * The workflows a {@link CrashWorker} runs. Every engine of the test, in a child JVM or in the test
 * JVM, registers all of them with the same actions, so any of them can resume any saga.
 */
enum CrashScenario {

    /** reserve (C), lookup (R), charge (C), book (C), notify (C): completes. */
    COMPLETES("crashCompletes", Duration.ZERO),

    /** The same five steps, then a sixth that always fails: compensates 5, 4, 3, 1. */
    COMPENSATES("crashCompensates", Duration.ZERO),

    /** reserve (C), lookup (R), sendEmail (IRREVERSIBLE), charge (C), notify (C): completes. */
    IRREVERSIBLE("crashIrreversible", Duration.ZERO),

    /** Twenty slow steps, then one that always fails: a long run and a long compensation to kill at random. */
    LONG("crashLong", Duration.ofMillis(40));

    static final int LONG_STEPS = 20;

    /** A stable node id per saga, so that a restarted worker takes its saga back at once. */
    static String nodeIdFor(String sagaId) {
        return "crash-node-" + sagaId;
    }

    private final String workflowName;

    private final Duration pause;

    CrashScenario(String workflowName, Duration pause) {
        this.workflowName = workflowName;
        this.pause = pause;
    }

    String workflowName() {
        return workflowName;
    }

    /** How long each action of this scenario takes. */
    Duration pause() {
        return pause;
    }

    String input() {
        return "order-42";
    }

    /**
     * An engine on {@code dataSource} with every crash workflow registered, not yet started: short
     * leases and a quick poll, so that recovery does not wait.
     */
    static SagaEngine engine(DataSource dataSource, String nodeId, Env env) {
        Compensable reserve = new Compensable("reserve", env);
        ReadOnly lookup = new ReadOnly("lookup", env);
        Compensable charge = new Compensable("charge", env);
        Compensable book = new Compensable("book", env);
        Compensable notify = new Compensable("notify", env);
        Irreversible sendEmail = new Irreversible("sendEmail", env);
        AlwaysFails decline = new AlwaysFails("decline", env);
        List<SagaAction<String, String>> longChain = new ArrayList<>();
        List<SagaAction<String, String>> cycle = List.of(reserve, lookup, charge, book);
        for (int i = 0; i < LONG_STEPS; i++) {
            longChain.add(cycle.get(i % cycle.size()));
        }
        longChain.add(decline);
        return AgentSaga.builder(dataSource)
                .nodeId(nodeId)
                .leaseDuration(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(200))
                .workerThreads(2)
                .action(reserve)
                .action(lookup)
                .action(charge)
                .action(book)
                .action(notify)
                .action(sendEmail)
                .action(decline)
                .workflow(new Chain(COMPLETES.workflowName, List.of(reserve, lookup, charge, book, notify)))
                .workflow(new Chain(COMPENSATES.workflowName, List.of(reserve, lookup, charge, book, notify, decline)))
                .workflow(new Chain(IRREVERSIBLE.workflowName, List.of(reserve, lookup, sendEmail, charge, notify)))
                .workflow(new Chain(LONG.workflowName, longChain))
                .build();
    }

    /** A workflow that feeds each step the previous step's output and returns all outputs joined. */
    static final class Chain implements AgentWorkflow<String, String> {

        private final String name;

        private final List<SagaAction<String, String>> actions;

        Chain(String name, List<SagaAction<String, String>> actions) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            this.actions = List.copyOf(actions);
        }

        @Override
        public String run(String input, Saga saga) {
            List<String> outputs = new ArrayList<>();
            String value = input;
            for (SagaAction<String, String> action : actions) {
                value = saga.step(action, value);
                outputs.add(value);
            }
            return String.join(",", outputs);
        }

        @Override
        public String name() {
            return name;
        }
    }
}
