package dev.agentsaga.ai.mcp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.modelcontextprotocol.client.McpSyncClient;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.test.ChildJvm;
import dev.agentsaga.test.SagaTestEnvironment;
import dev.agentsaga.test.ScriptedChatModel;

/**
 * The child JVM of the MCP crash tests. Arguments: JDBC URL, table prefix, the MCP server's URL, saga id, a
 * tool and its JSON arguments. It runs {@link McpTravelAgent} under the test environment's node id on a model
 * whose first answer calls the tool; asked a second time, the model prints {@value #ASKED_AGAIN} and never
 * answers. The test kills the JVM; on its own it halts after a minute (exit 2), or at once on an error (exit 1).
 */
public final class McpAgentWorker {

    /** What the child prints when the agent asks the model for the turn after the tool call. */
    static final String ASKED_AGAIN = "McpAgentWorker: the model is asked again";

    private McpAgentWorker() {
    }

    /** Runs the worker in a child JVM, its output in {@code target/crash-logs/<logName>.log}. */
    static ChildJvm launch(String logName, SagaTestEnvironment env, String serverUrl, String sagaId, String tool,
            String arguments) {
        return ChildJvm.launch(McpAgentWorker.class, Path.of("target", "crash-logs", logName + ".log"),
                List.of("-Dlogback.configurationFile=logback-agent-child.xml"),
                List.of(env.database().jdbcUrl(), env.database().tablePrefix(), serverUrl, sagaId, tool, arguments));
    }

    public static void main(String[] args) {
        int code = 2;
        try {
            run(args);
            Thread.sleep(60_000);
        }
        catch (Throwable ex) {
            System.out.println("McpAgentWorker: failed");
            ex.printStackTrace(System.out);
            code = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(code);
    }

    private static void run(String[] args) {
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: McpAgentWorker jdbcUrl tablePrefix serverUrl sagaId tool arguments");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        config.setMaximumPoolSize(4);
        HikariDataSource dataSource = new HikariDataSource(config);
        McpSyncClient client = McpTravelAgent.connect(args[2]);
        ChatModel model = new AnswersOnce(ScriptedChatModel.create()
                .turn(reply -> reply.toolCall(args[4], args[5]).usage(100, 10)));
        SagaEngine engine = McpTravelAgent.configure(AgentSaga.builder(dataSource)
                .nodeId(SagaTestEnvironment.NODE_ID).tablePrefix(args[1])
                .pollInterval(Duration.ofMillis(100)), client, model).build();
        engine.startup();
        engine.start(McpTravelAgent.WORKFLOW, "Book TP941 to Lisbon", args[3]);
        System.out.println("McpAgentWorker: saga " + args[3] + " started, calling " + args[4]);
    }

    /** The scripted model's first answer; asked again, it hangs. */
    private static final class AnswersOnce implements ChatModel {

        private final ScriptedChatModel model;

        private final AtomicInteger calls = new AtomicInteger();

        AnswersOnce(ScriptedChatModel model) {
            this.model = model;
        }

        @Override
        public ChatResponse call(Prompt prompt) {
            if (calls.incrementAndGet() > 1) {
                System.out.println(ASKED_AGAIN);
                System.out.flush();
                try {
                    Thread.sleep(60_000);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("nobody killed the JVM");
            }
            return model.call(prompt);
        }

        @Override
        public ChatOptions getOptions() {
            return model.getOptions();
        }

        @Override
        public ChatOptions getDefaultOptions() {
            return model.getDefaultOptions();
        }
    }
}
