package dev.agentsaga.engine;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.DriftPolicy;
import dev.agentsaga.ModelRateLimit;
import dev.agentsaga.SagaRetention;
import dev.agentsaga.spi.SagaClock;

/**
 * The settings of one engine, validated by the builder.
 *
 * @param nodeId the id under which this engine claims sagas
 * @param workerThreads how many sagas run at once
 * @param pollInterval how often runnable sagas are claimed
 * @param leaseDuration how long a claim lasts without renewal
 * @param heartbeatInterval how often the leases of running sagas are renewed
 * @param maxPayloadBytes the largest serialised payload accepted
 * @param defaultPolicy the policy of actions that keep {@link ActionPolicy#defaults()}
 * @param driftPolicy what a journaled model call does when its request changed since it was recorded
 * @param groupCommitMaxBatch the most hot-path writes of concurrent sagas committed together; 0 commits
 *        each write on its own
 * @param maxRecoveryAttempts how often a saga may be recovered without its journal moving before it is
 *        parked as NEEDS_ATTENTION instead of run again; 0 recovers it without limit
 * @param retention how long finished sagas are kept before they are deleted
 * @param childRecheck how long a saga waiting on a child (to finish, or to compensate) stays parked before it
 *        looks at the child again without being woken: the child wakes it when it rests, and this catches a wake
 *        lost to a crash between the child's last write and the wake
 * @param queues the configured queues by name: their limits and turn order (see {@link dev.agentsaga.SagaQueue})
 * @param clock the engine's time, and its waits for retry backoff and step time-outs
 * @param rateLimits the model rate limits by rate key; none when empty
 * @param restNotifications whether the rests of sagas are told across engines where the store can
 *        ({@link dev.agentsaga.spi.SagaStore#announcesRests()}), so that a caller waiting for a saga that runs on
 *        another engine learns at once that it rested
 */
public record EngineSettings(String nodeId, int workerThreads, Duration pollInterval, Duration leaseDuration,
        Duration heartbeatInterval, int maxPayloadBytes, ActionPolicy defaultPolicy, DriftPolicy driftPolicy,
        int groupCommitMaxBatch, int maxRecoveryAttempts, SagaRetention retention, Duration childRecheck,
        Map<String, dev.agentsaga.SagaQueue> queues, SagaClock clock, Map<String, ModelRateLimit> rateLimits,
        boolean restNotifications) {

    /** Settings without model rate limits, telling rests across engines. */
    public EngineSettings(String nodeId, int workerThreads, Duration pollInterval, Duration leaseDuration,
            Duration heartbeatInterval, int maxPayloadBytes, ActionPolicy defaultPolicy, DriftPolicy driftPolicy,
            int groupCommitMaxBatch, int maxRecoveryAttempts, SagaRetention retention, Duration childRecheck,
            Map<String, dev.agentsaga.SagaQueue> queues, SagaClock clock) {
        this(nodeId, workerThreads, pollInterval, leaseDuration, heartbeatInterval, maxPayloadBytes, defaultPolicy,
                driftPolicy, groupCommitMaxBatch, maxRecoveryAttempts, retention, childRecheck, queues, clock, Map.of(),
                true);
    }

    public EngineSettings {
        rateLimits = Map.copyOf(Objects.requireNonNull(rateLimits, "rateLimits must not be null"));
        Objects.requireNonNull(nodeId, "nodeId must not be null");
        Objects.requireNonNull(pollInterval, "pollInterval must not be null");
        Objects.requireNonNull(leaseDuration, "leaseDuration must not be null");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval must not be null");
        if (heartbeatInterval.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval
                    + ") must be shorter than leaseDuration (" + leaseDuration + ")");
        }
        Objects.requireNonNull(defaultPolicy, "defaultPolicy must not be null");
        Objects.requireNonNull(retention, "retention must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(childRecheck, "childRecheck must not be null");
        queues = java.util.Map.copyOf(queues);
        if (childRecheck.isNegative() || childRecheck.isZero()) {
            throw new IllegalArgumentException("childRecheck must be positive, was " + childRecheck);
        }
        if (groupCommitMaxBatch < 0) {
            throw new IllegalArgumentException("groupCommitMaxBatch must not be negative, was " + groupCommitMaxBatch);
        }
        if (maxRecoveryAttempts < 0) {
            throw new IllegalArgumentException("maxRecoveryAttempts must not be negative, was " + maxRecoveryAttempts);
        }
    }
}
