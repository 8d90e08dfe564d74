package dev.agentsaga.ai.chatclient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.StepStatus;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.ChatCompletionsStub;
import dev.agentsaga.ai.TripScript;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.testing.EffectLedger;
import dev.agentsaga.testing.TestPolicies;

/**
 * The child JVM of the ChatClient crash test. Arguments: JDBC URL (with {@code currentSchema}), the
 * stub's base URL, saga id, step number. It starts the ChatClient trip agent's saga under a node id of
 * the saga and, once the given step is journaled, holds the saga's thread still and prints
 * {@value #PARKED}, so that the test can kill it with SIGKILL at that point and no later. Exit codes: 2
 * when nobody killed it in time, 1 on any other error.
 */
public final class ChatClientCrashWorker {

    /** What the worker prints when it holds the saga after the step. */
    static final String PARKED = "ChatClientCrashWorker: parked after step ";

    private static final Path LOGS = Path.of("target", "crash-logs");

    private ChatClientCrashWorker() {
    }

    /** Runs the worker in a child JVM, its output in {@code <logName>.log} under target/crash-logs. */
    static ChildJvm launch(String logName, String jdbcUrl, String stubBaseUrl, String sagaId, int parkAfterStep) {
        return ChildJvm.launch(ChatClientCrashWorker.class, LOGS.resolve(logName + ".log"),
                List.of("-Dlogback.configurationFile=logback-agent-child.xml"),
                List.of(jdbcUrl, stubBaseUrl, sagaId, String.valueOf(parkAfterStep)));
    }

    /** The node id every engine of the saga runs under, so a restarted engine takes the saga back at once. */
    static String nodeIdFor(String sagaId) {
        return "chat-crash-" + sagaId;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        }
        catch (Throwable ex) {
            System.out.println("ChatClientCrashWorker: failed");
            ex.printStackTrace(System.out);
            code = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(code);
    }

    private static int run(String[] args) throws InterruptedException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: ChatClientCrashWorker jdbcUrl stubBaseUrl sagaId step");
        }
        String sagaId = args[2];
        int parkAfter = Integer.parseInt(args[3]);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setMaximumPoolSize(6);
        config.setPoolName("chat-crash-worker");
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            TripDesk desk = new TripDesk(EffectLedger.create(dataSource));
            SagaEngine engine = TripChat.configure(AgentSaga.builder(dataSource)
                    .nodeId(nodeIdFor(sagaId))
                    .pollInterval(Duration.ofMillis(100))
                    .leaseDuration(Duration.ofSeconds(2))
                    .defaultPolicy(TestPolicies.fast())
                    .observer(parkingAfter(parkAfter)), desk, ChatCompletionsStub.chatModel(args[1]),
                    AgentLimits.DEFAULTS).build();
            engine.startup();
            engine.start(TripChat.WORKFLOW, TripScript.GOAL, sagaId);
            Thread.sleep(Duration.ofSeconds(60).toMillis());
            System.out.println("ChatClientCrashWorker: nobody killed the JVM within 60 s");
            return 2;
        }
    }

    /** Holds the saga's thread for good once step {@code seq} has been journaled as SUCCEEDED. */
    private static SagaObserver parkingAfter(int seq) {
        return new SagaObserver() {

            @Override
            public void stepJournaled(StepEvent step, StepStatus status) {
                if (step.seq() == seq && status == StepStatus.SUCCEEDED) {
                    System.out.println(PARKED + seq + " (" + step.name() + ")");
                    System.out.flush();
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
    }
}
