package dev.agentsaga;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.engine.DefaultSagaEngine;
import dev.agentsaga.engine.EngineSettings;
import dev.agentsaga.engine.JournalReplayer;
import dev.agentsaga.spi.AesGcmPayloadCipher;
import dev.agentsaga.spi.EncryptionKeys;
import dev.agentsaga.spi.PayloadCipher;
import dev.agentsaga.spi.PayloadCodec;
import dev.agentsaga.spi.SagaArchiver;
import dev.agentsaga.spi.SagaClock;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.JacksonPayloadCodec;
import dev.agentsaga.store.jdbc.JdbcSagaStore;
import dev.agentsaga.store.jdbc.SchemaInitializer;
import dev.agentsaga.store.jdbc.SqlDialect;

/**
 * The plain-Java entry point: builds a {@link SagaEngine} on a {@link DataSource} without Spring.
 *
 * <pre>{@code
 * SagaEngine engine = AgentSaga.builder(dataSource)
 *         .action(new BookFlight(flights))
 *         .workflow(new TripWorkflow())
 *         .build();
 * engine.startup();
 * }</pre>
 */
public final class AgentSaga {

    private AgentSaga() {
    }

    /**
     * A builder for an engine that journals to {@code dataSource}: PostgreSQL, or H2 in
     * {@code MODE=PostgreSQL}; the SQL dialect is chosen from the database's JDBC metadata at {@code build()}.
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource must not be null"));
    }

    /**
     * A builder for a {@link JournalReplayer}: register the same actions and workflows as the engines
     * whose journals it replays, then {@link Builder#buildReplayer()}. It needs no database.
     */
    public static Builder replayer() {
        return new Builder(null);
    }

    /** Collects actions, workflows and settings; {@link #build()} validates them all at once. */
    public static final class Builder {

        private final @Nullable DataSource dataSource;

        private final Map<String, SagaAction<?, ?>> namedActions = new LinkedHashMap<>();

        private final List<SagaAction<?, ?>> actions = new ArrayList<>();

        private final Map<String, AgentWorkflow<?, ?>> namedWorkflows = new LinkedHashMap<>();

        private final List<AgentWorkflow<?, ?>> workflows = new ArrayList<>();

        private String tablePrefix = "agent_saga_";

        private int workerThreads = 8;

        private Duration pollInterval = Duration.ofMillis(500);

        private Duration leaseDuration = Duration.ofSeconds(30);

        private @Nullable Duration heartbeatInterval;

        private final List<SagaObserver> observers = new ArrayList<>();

        private @Nullable String nodeId;

        private int maxPayloadBytes = 1024 * 1024;

        private ActionPolicy defaultPolicy = ActionPolicy.defaults();

        private DriftPolicy driftPolicy = DriftPolicy.FAIL;

        private @Nullable PayloadCodec codec;

        private @Nullable SagaStore store;

        private @Nullable PayloadCipher cipher;

        private SagaClock clock = SagaClock.system();

        private boolean applySchema;

        /** Null: as the database's dialect advises ({@link SqlDialect#groupsCommits()}). */
        private @Nullable Boolean groupCommit;

        private int groupCommitMaxBatch = 64;

        private boolean restNotifications = true;

        private int maxRecoveryAttempts = 5;

        private Duration childRecheck = Duration.ofMinutes(5);

        private final Map<String, SagaQueue> queues = new LinkedHashMap<>();

        private SagaRetention retention = SagaRetention.KEEP_ALL;

        private @Nullable SagaArchiver archiver;

        private final Map<String, SagaSchedule> schedules = new LinkedHashMap<>();

        private final Map<String, ModelRateLimit> rateLimits = new LinkedHashMap<>();

        private Builder(@Nullable DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** Registers an action under its {@link SagaAction#name()}, or its decapitalised class name. */
        public Builder action(SagaAction<?, ?> action) {
            actions.add(Objects.requireNonNull(action, "action must not be null"));
            return this;
        }

        /** Registers an action under an explicit name (what the journal records). */
        public Builder action(String name, SagaAction<?, ?> action) {
            putUnique(namedActions, name, Objects.requireNonNull(action, "action must not be null"), "action");
            return this;
        }

        /** Registers a workflow under its {@link AgentWorkflow#name()}, or its decapitalised class name. */
        public Builder workflow(AgentWorkflow<?, ?> workflow) {
            workflows.add(Objects.requireNonNull(workflow, "workflow must not be null"));
            return this;
        }

        /** Registers a workflow under an explicit name (what {@link SagaCoordinator#start} takes). */
        public Builder workflow(String name, AgentWorkflow<?, ?> workflow) {
            putUnique(namedWorkflows, name, Objects.requireNonNull(workflow, "workflow must not be null"), "workflow");
            return this;
        }

        /** The prefix of the tables {@code instance}, {@code step} and {@code signal}; default {@code agent_saga_}. */
        public Builder tablePrefix(String tablePrefix) {
            if (!tablePrefix.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("tablePrefix must be letters, digits and underscores, was '"
                        + tablePrefix + "'");
            }
            this.tablePrefix = tablePrefix;
            return this;
        }

        /** How many sagas run at once on this engine; default 8. */
        public Builder workerThreads(int workerThreads) {
            if (workerThreads < 1) {
                throw new IllegalArgumentException("workerThreads must be at least 1, was " + workerThreads);
            }
            this.workerThreads = workerThreads;
            return this;
        }

        /** How often the engine looks for runnable sagas (recovered, due timers, signals); default 500 ms. */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = positive(pollInterval, "pollInterval");
            return this;
        }

        /** How long a claim on a saga lasts without renewal; another engine may take it over after; default 30 s. */
        public Builder leaseDuration(Duration leaseDuration) {
            this.leaseDuration = positive(leaseDuration, "leaseDuration");
            return this;
        }

        /** How often the leases of running sagas are renewed; default a third of the lease duration. */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = positive(heartbeatInterval, "heartbeatInterval");
            return this;
        }

        /** Adds an observer of sagas and steps (metrics, tracing); observers are called in the order added. */
        public Builder observer(SagaObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer must not be null"));
            return this;
        }

        /**
         * The id this engine claims sagas under; default a random UUID. Give a stable id (a pod name in a
         * StatefulSet, say) and a restarted engine takes its own unfinished sagas back at once instead of
         * waiting for their leases to expire.
         */
        public Builder nodeId(String nodeId) {
            this.nodeId = Objects.requireNonNull(nodeId, "nodeId must not be null");
            return this;
        }

        /** The largest serialised input, output or signal payload accepted; default 1 MiB. */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            if (maxPayloadBytes < 1) {
                throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
            }
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /** The policy for actions that do not override {@link SagaAction#policy()}. */
        public Builder defaultPolicy(ActionPolicy defaultPolicy) {
            this.defaultPolicy = Objects.requireNonNull(defaultPolicy, "defaultPolicy must not be null");
            return this;
        }

        /** What a journaled model call does when its request changed since it was recorded; default FAIL. */
        public Builder driftPolicy(DriftPolicy driftPolicy) {
            this.driftPolicy = Objects.requireNonNull(driftPolicy, "driftPolicy must not be null");
            return this;
        }

        /** How payloads become JSON; default Jackson with a plain {@code JsonMapper}. */
        public Builder codec(PayloadCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec must not be null");
            return this;
        }

        /**
         * Encrypts every journaled payload (inputs, outputs, errors, notes, fingerprints, signal payloads) with
         * AES-256-GCM under the current key of {@code keys}, asked for on every payload so that a vault can
         * rotate them; payloads under older keys stay readable while their keys are among them. Ids, statuses,
         * times, names and token counts stay readable. See {@link AesGcmPayloadCipher}.
         * @throws EncryptionKeyException when {@code keys} has no valid current key
         */
        public Builder encryption(Supplier<EncryptionKeys> keys) {
            return payloadCipher(new AesGcmPayloadCipher(keys));
        }

        /** Encrypts every journaled payload under these keys; see {@link #encryption(Supplier)}. */
        public Builder encryption(EncryptionKeys keys) {
            return payloadCipher(new AesGcmPayloadCipher(keys));
        }

        /**
         * How the JDBC store seals payloads before it writes them and opens them when it reads them; default
         * {@link PayloadCipher#none()}, payloads stored as they are.
         */
        public Builder payloadCipher(PayloadCipher cipher) {
            this.cipher = Objects.requireNonNull(cipher, "cipher must not be null");
            return this;
        }

        /** Another store than the JDBC store on the data source (for tests of integrations). */
        public Builder store(SagaStore store) {
            this.store = Objects.requireNonNull(store, "store must not be null");
            return this;
        }

        /** The clock for timestamps, timers and leases; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = SagaClock.of(Objects.requireNonNull(clock, "clock must not be null"));
            return this;
        }

        /**
         * The engine's time: timestamps, timers and leases, and the waits of retry backoff and step
         * time-outs; a test kit's clock moves them itself. Default: the UTC system clock, waiting in real
         * time.
         */
        public Builder clock(SagaClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Whether the journal writes of concurrent sagas share transactions (one commit, one WAL flush for
         * many writes); by default on, except where the dialect advises against it (MariaDB and MySQL, whose
         * InnoDB shares the log flush of concurrent commits by itself). A saga still goes on only once its
         * own write is durable; a saga running alone writes at once. See {@code docs/group-commit.md}.
         */
        public Builder groupCommit(boolean groupCommit) {
            this.groupCommit = groupCommit;
            return this;
        }

        /**
         * Whether the rests of sagas are told across the engines that share the database, where it can tell them
         * (PostgreSQL's {@code LISTEN}/{@code NOTIFY}); default on. A caller waiting for a saga that runs on
         * another engine then learns at once that it rested, rather than at its next read (every 50 ms); the
         * engine announces its sagas' rests in batches, and listens on a connection of its own from the first
         * such wait. Turn it off behind a pooler that cannot {@code LISTEN} (PgBouncer in transaction mode).
         */
        public Builder restNotifications(boolean restNotifications) {
            this.restNotifications = restNotifications;
            return this;
        }

        /** The most writes one shared transaction holds when {@link #groupCommit(boolean) group commit} is on; default 64. */
        public Builder groupCommitMaxBatch(int groupCommitMaxBatch) {
            if (groupCommitMaxBatch < 1) {
                throw new IllegalArgumentException("groupCommitMaxBatch must be at least 1, was " + groupCommitMaxBatch);
            }
            this.groupCommitMaxBatch = groupCommitMaxBatch;
            return this;
        }

        /**
         * How often a saga may be recovered (taken over from an engine whose lease on it expired) without its
         * journal moving, before the next engine parks it as NEEDS_ATTENTION instead of running it again; default
         * 5; 0 recovers without limit. A saga whose step takes its process down (out of memory, a native crash, a
         * halt) would otherwise take down every node in turn. {@code retry} runs a parked saga again.
         */
        public Builder maxRecoveryAttempts(int maxRecoveryAttempts) {
            if (maxRecoveryAttempts < 0) {
                throw new IllegalArgumentException("maxRecoveryAttempts must not be negative (0 for no limit), was "
                        + maxRecoveryAttempts);
            }
            this.maxRecoveryAttempts = maxRecoveryAttempts;
            return this;
        }

        /**
         * Configures a queue: its concurrency limits across the fleet, per node and per partition key, and the
         * aging of its priorities (see {@link SagaQueue}). Every node that runs the queue's sagas should configure
         * it alike. A queue named after a workflow applies to that workflow's sagas; others are named at the
         * start ({@link StartOptions#queue()}).
         * @throws IllegalArgumentException when a queue of that name is configured already
         */
        public Builder queue(SagaQueue queue) {
            Objects.requireNonNull(queue, "queue must not be null");
            if (queues.putIfAbsent(queue.name(), queue) != null) {
                throw new IllegalArgumentException("The queue '" + queue.name() + "' is configured twice");
            }
            return this;
        }

        /**
         * How long a saga waiting on a child saga (to finish, or to compensate) stays parked before it looks at
         * the child again unwoken; default 5 minutes. A child wakes its parent when it rests; this only catches
         * a wake lost to a crash between the child's last write and the wake.
         */
        public Builder childRecheck(Duration childRecheck) {
            Objects.requireNonNull(childRecheck, "childRecheck must not be null");
            if (childRecheck.isNegative() || childRecheck.isZero()) {
                throw new IllegalArgumentException("childRecheck must be positive, was " + childRecheck);
            }
            this.childRecheck = childRecheck;
            return this;
        }

        /**
         * How long finished sagas are kept before the engine deletes them with their steps and signals; default
         * {@link SagaRetention#KEEP_ALL}. See {@code docs/operations.md}.
         */
        public Builder retention(SagaRetention retention) {
            this.retention = Objects.requireNonNull(retention, "retention must not be null");
            return this;
        }

        /** Receives the finished sagas retention is about to delete, before it deletes them; default none. */
        public Builder archiver(SagaArchiver archiver) {
            this.archiver = Objects.requireNonNull(archiver, "archiver must not be null");
            return this;
        }

        /**
         * Starts {@code schedule}'s workflow at each of its ticks, once across every engine that shares the journal
         * and registers a schedule under this name (see {@link SagaSchedule}); each tick's saga has the id
         * {@link SagaSchedule#sagaId(String, java.time.Instant)}. The engine checks its schedules at least once a
         * second; what a restart after missed ticks does is the schedule's {@link SagaSchedule#missedTicks()}.
         * @throws IllegalArgumentException when the name is blank, longer than 150 characters, or taken
         */
        public Builder schedule(String name, SagaSchedule schedule) {
            Objects.requireNonNull(schedule, "schedule must not be null");
            if (name == null || name.isBlank() || name.length() > 150) {
                throw new IllegalArgumentException("A schedule's name must not be blank and at most 150 characters, "
                        + "was '" + name + "'");
            }
            if (schedules.putIfAbsent(name, schedule) != null) {
                throw new IllegalArgumentException("Two schedules are registered under the name '" + name
                        + "'; give one of them another name");
            }
            return this;
        }

        /**
         * Limits the model calls counted against {@code key} (a model's name, as the Spring AI integration names
         * its calls, or an API key's name of your own) to {@code requestsPerMinute} calls and
         * {@code tokensPerMinute} tokens in each minute, across every node on the database; 0 leaves that figure
         * unlimited. A call over the limit parks its saga WAITING until the next minute, holding no thread. A
         * later call for the same key replaces the limit. See {@code docs/operations.md}.
         */
        public Builder modelRateLimit(String key, int requestsPerMinute, long tokensPerMinute) {
            ModelRateLimit limit = new ModelRateLimit(key, requestsPerMinute, tokensPerMinute);
            rateLimits.put(limit.key(), limit);
            return this;
        }

        /**
         * Whether {@link #build()} applies the Liquibase changelog to the data source (needs
         * {@code liquibase-core} on the class path); default false: the engine applies no DDL unless asked.
         */
        public Builder applySchema(boolean applySchema) {
            this.applySchema = applySchema;
            return this;
        }

        /**
         * Validates the registrations and builds the engine, not yet started.
         * @throws InvalidActionException when an action or workflow cannot be registered as declared
         * @throws UnknownWorkflowException when a schedule names a workflow that is not registered
         */
        public SagaEngine build() {
            if (dataSource == null) {
                throw new IllegalStateException("This builder was made by AgentSaga.replayer(): it builds a "
                        + "replayer (buildReplayer()), not an engine; use AgentSaga.builder(dataSource) for an engine");
            }
            if (applySchema) {
                SchemaInitializer.apply(dataSource, tablePrefix);
            }
            if (store != null && cipher != null) {
                throw new IllegalStateException("A payload cipher is applied by the JDBC store, and this builder was "
                        + "given a store of its own: give the cipher to that store instead");
            }
            PayloadCodec payloadCodec = codec != null ? codec : new JacksonPayloadCodec();
            SqlDialect dialect = store != null ? null : SqlDialect.forDataSource(dataSource, tablePrefix);
            SagaStore sagaStore = dialect == null ? Objects.requireNonNull(store)
                    : new JdbcSagaStore(dataSource, dialect, cipher != null ? cipher : PayloadCipher.none());
            boolean grouped = groupCommit != null ? groupCommit : dialect == null || dialect.groupsCommits();
            return new DefaultSagaEngine(sagaStore, payloadCodec, settings(grouped), namedActions, actions,
                    namedWorkflows, workflows, observers, archiver, schedules);
        }

        /**
         * Builds a replayer of exported journals with the registered actions and workflows and this
         * builder's codec: it checks that the code resumes a saga as journaled, executing nothing and
         * touching no database.
         * @throws InvalidActionException when an action or workflow cannot be registered as declared
         */
        public JournalReplayer buildReplayer() {
            PayloadCodec payloadCodec = codec != null ? codec : new JacksonPayloadCodec();
            return new JournalReplayer(payloadCodec, settings(groupCommit == null || groupCommit), namedActions, actions,
                    namedWorkflows, workflows);
        }

        private EngineSettings settings(boolean groupCommit) {
            Duration heartbeat = heartbeatInterval != null ? heartbeatInterval : leaseDuration.dividedBy(3);
            return new EngineSettings(nodeId != null ? nodeId : UUID.randomUUID().toString(), workerThreads,
                    pollInterval, leaseDuration, heartbeat, maxPayloadBytes, defaultPolicy, driftPolicy,
                    groupCommit ? groupCommitMaxBatch : 0, maxRecoveryAttempts, retention, childRecheck, queues, clock,
                    rateLimits, restNotifications);
        }

        private static <T> void putUnique(Map<String, T> map, String name, T value, String what) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + " name must not be blank");
            }
            if (map.putIfAbsent(name, value) != null) {
                throw new InvalidActionException("Two " + what + "s are registered under the name '" + name
                        + "'; give one of them another name", null);
            }
        }

        private static Duration positive(Duration duration, String what) {
            if (duration == null || duration.isZero() || duration.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, was " + duration);
            }
            return duration;
        }
    }
}
