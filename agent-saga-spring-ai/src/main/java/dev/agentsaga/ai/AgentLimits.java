package dev.agentsaga.ai;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

import dev.agentsaga.Saga;

/**
 * The budgets of a durable agent that is not an {@link AgentLoop} (a {@code ChatClient} in a workflow):
 * model calls and tokens per saga, how often the same tool may be called with the same arguments, and
 * how long a tool call waits for its approval. Counted per run of the workflow from the journaled
 * responses and calls, which a resumed run answers again, so that a crash does not reset them.
 */
public final class AgentLimits {

    /** The defaults: 20 model calls, 200,000 tokens, the same call 3 times, a day to approve. */
    public static final AgentLimits DEFAULTS = new AgentLimits(20, 200_000, 3, Duration.ofDays(1));

    private final int maxTurns;

    private final long maxTokens;

    private final int loopGuard;

    private final Duration approvalTimeout;

    private final Map<Saga, Run> runs = new WeakHashMap<>();

    public AgentLimits(int maxTurns, long maxTokens, int loopGuard, Duration approvalTimeout) {
        if (maxTurns < 1 || maxTokens < 1 || loopGuard < 1) {
            throw new IllegalArgumentException("maxTurns, maxTokens and loopGuard must be positive, were " + maxTurns
                    + ", " + maxTokens + ", " + loopGuard);
        }
        this.maxTurns = maxTurns;
        this.maxTokens = maxTokens;
        this.loopGuard = loopGuard;
        this.approvalTimeout = Objects.requireNonNull(approvalTimeout, "approvalTimeout must not be null");
    }

    /** How long a tool call waits for its approval. */
    Duration approvalTimeout() {
        return approvalTimeout;
    }

    /**
     * Counts a model call about to be made or answered from the journal.
     * @throws AgentLoopException when the saga has used its turns
     */
    void beforeTurn(Saga saga) {
        int turns = run(saga).turns += 1;
        if (turns > maxTurns) {
            throw new AgentLoopException("The agent used its " + maxTurns + " model calls without an answer",
                    saga.id());
        }
    }

    /**
     * Counts the tokens a model call took.
     * @throws AgentLoopException when the saga is over its token budget
     */
    void afterTurn(Saga saga, RecordedResponse response) {
        long tokens = run(saga).tokens += response.inputTokens() + response.outputTokens();
        if (tokens > maxTokens) {
            throw new AgentLoopException("The agent spent " + tokens + " tokens, over its budget of " + maxTokens,
                    saga.id());
        }
    }

    /**
     * Counts a tool call by its name and canonical arguments.
     * @throws AgentLoopException when the same call was made more often than the loop guard allows
     */
    void beforeToolCall(Saga saga, String tool, String canonicalArguments) {
        int times = run(saga).calls.merge(tool + " " + canonicalArguments, 1, Integer::sum);
        if (times > loopGuard) {
            throw new AgentLoopException("The agent called " + tool + " with the same arguments " + times
                    + " times (the loop guard allows " + loopGuard + ")", saga.id());
        }
    }

    private synchronized Run run(Saga saga) {
        return runs.computeIfAbsent(saga, key -> new Run());
    }

    /** What one run of a saga has used. */
    private static final class Run {

        int turns;

        long tokens;

        final Map<String, Integer> calls = new java.util.HashMap<>();
    }
}
