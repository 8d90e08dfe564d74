package dev.agentsaga.autoconfigure.ai;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.agentsaga.ai.AgentLimits;

/** The budgets of durable ChatClient agents, per saga, counted from the journal so that a crash does not reset them. */
@ConfigurationProperties("agent.saga.agent")
public class SagaAgentProperties {

    /**
     * Whether ChatClients built from Spring AI's auto-configured builder are durable inside sagas (their model
     * calls journaled, their tool calls saga steps) and the tools of the application's beans registered.
     */
    private boolean enabled = true;

    /** Most model calls a saga's ChatClient agents make in all. */
    private int maxTurns = 20;

    /** Most tokens (input and output) a saga's model calls take in all. */
    private long maxTokens = 200_000;

    /** How often a saga's agents may call the same tool with the same arguments. */
    private int loopGuard = 3;

    /** How long a tool call that needs approval waits for it. */
    private Duration approvalTimeout = Duration.ofDays(1);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMaxTurns() {
        return maxTurns;
    }

    public void setMaxTurns(int maxTurns) {
        this.maxTurns = maxTurns;
    }

    public long getMaxTokens() {
        return maxTokens;
    }

    public void setMaxTokens(long maxTokens) {
        this.maxTokens = maxTokens;
    }

    public int getLoopGuard() {
        return loopGuard;
    }

    public void setLoopGuard(int loopGuard) {
        this.loopGuard = loopGuard;
    }

    public Duration getApprovalTimeout() {
        return approvalTimeout;
    }

    public void setApprovalTimeout(Duration approvalTimeout) {
        this.approvalTimeout = approvalTimeout;
    }

    AgentLimits limits() {
        return new AgentLimits(maxTurns, maxTokens, loopGuard, approvalTimeout);
    }
}
