package dev.agentsaga.autoconfigure;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import dev.agentsaga.DriftPolicy;
import dev.agentsaga.SagaRetention;
import dev.agentsaga.SagaSchedule;

/** Configuration of agent-saga. */
@ConfigurationProperties("agent.saga")
public class AgentSagaProperties {

    /** Whether to run the saga engine. */
    private boolean enabled = true;

    /** Prefix of the tables instance, step, signal, node and lock. */
    private String tablePrefix = "agent_saga_";

    /** Id under which this node claims sagas; a random UUID when unset. A stable id lets a restarted node take its sagas back at once. */
    private @Nullable String nodeId;

    /** How many sagas run at once on this node. */
    private int workerThreads = 8;

    /** How often the node looks for runnable sagas: recovered, due timers, signals. */
    private Duration pollInterval = Duration.ofMillis(500);

    /** How long a node's claim on a saga lasts without renewal; another node may take it over after. */
    private Duration leaseDuration = Duration.ofSeconds(30);

    /** How often the leases of running sagas are renewed; a third of the lease duration when unset. */
    private @Nullable Duration heartbeatInterval;

    /** How long shutdown waits for running steps before leaving them to recovery. */
    private Duration shutdownGrace = Duration.ofSeconds(10);

    /** Largest serialised input, output or signal payload accepted. */
    private DataSize maxPayloadSize = DataSize.ofMegabytes(1);

    /**
     * How often a saga may be recovered from a node whose lease on it expired without its journal moving,
     * before it is parked as NEEDS_ATTENTION instead of taking down the next node; 0 for no limit.
     */
    private int maxRecoveryAttempts = 5;

    private final Schema schema = new Schema();

    private final Policy policy = new Policy();

    private final Llm llm = new Llm();

    private final GroupCommit groupCommit = new GroupCommit();

    private final Retention retention = new Retention();

    private final Endpoint endpoint = new Endpoint();

    private final Web web = new Web();

    private final Encryption encryption = new Encryption();

    private final Children children = new Children();

    private final RestNotifications restNotifications = new RestNotifications();

    /**
     * Queues by name, with their concurrency limits and the aging of their priorities. A queue named after a
     * workflow applies to its sagas; others are named when a saga starts (StartOptions.queue).
     */
    private Map<String, Queue> queues = new LinkedHashMap<>();

    /**
     * Schedules by name: a workflow started on a cron expression or at a fixed rate, once per tick across the
     * nodes.
     */
    private Map<String, Schedule> schedules = new LinkedHashMap<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getTablePrefix() {
        return tablePrefix;
    }

    public void setTablePrefix(String tablePrefix) {
        this.tablePrefix = tablePrefix;
    }

    public @Nullable String getNodeId() {
        return nodeId;
    }

    public void setNodeId(@Nullable String nodeId) {
        this.nodeId = nodeId;
    }

    public int getWorkerThreads() {
        return workerThreads;
    }

    public void setWorkerThreads(int workerThreads) {
        this.workerThreads = workerThreads;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public Duration getLeaseDuration() {
        return leaseDuration;
    }

    public void setLeaseDuration(Duration leaseDuration) {
        this.leaseDuration = leaseDuration;
    }

    public @Nullable Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(@Nullable Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getShutdownGrace() {
        return shutdownGrace;
    }

    public void setShutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
    }

    public DataSize getMaxPayloadSize() {
        return maxPayloadSize;
    }

    public void setMaxPayloadSize(DataSize maxPayloadSize) {
        this.maxPayloadSize = maxPayloadSize;
    }

    public int getMaxRecoveryAttempts() {
        return maxRecoveryAttempts;
    }

    public void setMaxRecoveryAttempts(int maxRecoveryAttempts) {
        this.maxRecoveryAttempts = maxRecoveryAttempts;
    }

    public Schema getSchema() {
        return schema;
    }

    public Policy getPolicy() {
        return policy;
    }

    public Llm getLlm() {
        return llm;
    }

    public GroupCommit getGroupCommit() {
        return groupCommit;
    }

    public Retention getRetention() {
        return retention;
    }

    public Endpoint getEndpoint() {
        return endpoint;
    }

    public Web getWeb() {
        return web;
    }

    public Encryption getEncryption() {
        return encryption;
    }

    public Children getChildren() {
        return children;
    }

    public RestNotifications getRestNotifications() {
        return restNotifications;
    }

    public Map<String, Queue> getQueues() {
        return queues;
    }

    public void setQueues(Map<String, Queue> queues) {
        this.queues = queues;
    }

    public Map<String, Schedule> getSchedules() {
        return schedules;
    }

    public void setSchedules(Map<String, Schedule> schedules) {
        this.schedules = schedules;
    }

    /** A schedule: a workflow started at each tick of a cron expression or a fixed rate. */
    public static class Schedule {

        /** Name of the workflow each tick starts. */
        private @Nullable String workflow;

        /** Spring cron expression (six fields, seconds first, or a macro such as @hourly); or set fixed-rate. */
        private @Nullable String cron;

        /** Time zone of the cron expression. */
        private String zone = "UTC";

        /** Rate of the ticks, at least 1s, counted from the epoch; or set cron. */
        private @Nullable Duration fixedRate;

        /** Input of each started saga as JSON, decoded to the workflow's input type. Unset: null. */
        private @Nullable String input;

        /** What the first check after missed ticks does: start the latest only, or each of them. */
        private SagaSchedule.MissedTicks missedTicks = SagaSchedule.MissedTicks.SKIP;

        /** Most missed ticks started at once under catch-up: the latest ones. */
        private int maxCatchUp = SagaSchedule.DEFAULT_MAX_CATCH_UP;

        /** How late a tick may start and still not count as missed. */
        private Duration grace = SagaSchedule.DEFAULT_GRACE;

        public @Nullable String getWorkflow() {
            return workflow;
        }

        public void setWorkflow(@Nullable String workflow) {
            this.workflow = workflow;
        }

        public @Nullable String getCron() {
            return cron;
        }

        public void setCron(@Nullable String cron) {
            this.cron = cron;
        }

        public String getZone() {
            return zone;
        }

        public void setZone(String zone) {
            this.zone = zone;
        }

        public @Nullable Duration getFixedRate() {
            return fixedRate;
        }

        public void setFixedRate(@Nullable Duration fixedRate) {
            this.fixedRate = fixedRate;
        }

        public @Nullable String getInput() {
            return input;
        }

        public void setInput(@Nullable String input) {
            this.input = input;
        }

        public SagaSchedule.MissedTicks getMissedTicks() {
            return missedTicks;
        }

        public void setMissedTicks(SagaSchedule.MissedTicks missedTicks) {
            this.missedTicks = missedTicks;
        }

        public int getMaxCatchUp() {
            return maxCatchUp;
        }

        public void setMaxCatchUp(int maxCatchUp) {
            this.maxCatchUp = maxCatchUp;
        }

        public Duration getGrace() {
            return grace;
        }

        public void setGrace(Duration grace) {
            this.grace = grace;
        }

        /**
         * This schedule as the engine takes it.
         * @throws IllegalArgumentException when it has no workflow, neither or both of cron and fixed-rate, or a
         *         value out of range; the message names the property
         */
        public SagaSchedule toSchedule(String name) {
            String prefix = "agent.saga.schedules." + name + ".";
            if (workflow == null || workflow.isBlank()) {
                throw new IllegalArgumentException(prefix + "workflow must name the workflow the schedule starts");
            }
            if ((cron == null) == (fixedRate == null)) {
                throw new IllegalArgumentException("Set one of " + prefix + "cron and " + prefix + "fixed-rate");
            }
            try {
                SagaSchedule schedule = cron != null
                        ? SagaSchedule.cron(cron, workflow).withZone(ZoneId.of(zone))
                        : SagaSchedule.fixedRate(Objects.requireNonNull(fixedRate), workflow);
                schedule = schedule.withMissedTicks(missedTicks).withMaxCatchUp(maxCatchUp).withGrace(grace);
                return input == null ? schedule : schedule.withInputJson(input);
            }
            catch (DateTimeException | IllegalArgumentException ex) {
                throw new IllegalArgumentException("Schedule " + prefix.substring(0, prefix.length() - 1) + ": "
                        + ex.getMessage(), ex);
            }
        }
    }

    /** A queue: at most so many of its sagas at once, fleet-wide, per node and per partition key (0: no limit). */
    public static class Queue {

        /** Most of the queue's sagas that run at once across every node that shares the database. */
        private int globalConcurrency;

        /** Most of the queue's sagas that run at once on one node. */
        private int nodeConcurrency;

        /** Most of the queue's sagas of one partition key (a tenant, a user) that run at once, fleet-wide. */
        private int partitionConcurrency;

        /** How long a saga may wait before it goes ahead of any higher priority that waited less. */
        private Duration aging = dev.agentsaga.SagaQueue.DEFAULT_AGING;

        public int getGlobalConcurrency() {
            return globalConcurrency;
        }

        public void setGlobalConcurrency(int globalConcurrency) {
            this.globalConcurrency = globalConcurrency;
        }

        public int getNodeConcurrency() {
            return nodeConcurrency;
        }

        public void setNodeConcurrency(int nodeConcurrency) {
            this.nodeConcurrency = nodeConcurrency;
        }

        public int getPartitionConcurrency() {
            return partitionConcurrency;
        }

        public void setPartitionConcurrency(int partitionConcurrency) {
            this.partitionConcurrency = partitionConcurrency;
        }

        public Duration getAging() {
            return aging;
        }

        public void setAging(Duration aging) {
            this.aging = aging;
        }

        /** The queue as the engine takes it. */
        public dev.agentsaga.SagaQueue toQueue(String name) {
            return new dev.agentsaga.SagaQueue(name, globalConcurrency, nodeConcurrency, partitionConcurrency, aging);
        }
    }

    /** How callers waiting for a saga that runs on another node learn that it rested. */
    public static class RestNotifications {

        /**
         * Whether the nodes tell each other when their sagas rest, where the database can (PostgreSQL's
         * LISTEN/NOTIFY): a caller waiting for a saga on another node learns at once, rather than at its next read
         * of the saga (every 50 ms). A node that waits for such a saga holds one connection to listen. Turn it
         * off behind a pooler that cannot LISTEN (PgBouncer in transaction mode).
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Child sagas ({@code Saga.startChild}). */
    public static class Children {

        /**
         * How long a saga waiting on a child (to finish, or to compensate) stays parked before it looks at the
         * child again unwoken. A child wakes its parent when it rests; this only catches a wake lost to a crash
         * between the child's last write and the wake.
         */
        private Duration recheckInterval = Duration.ofMinutes(5);

        public Duration getRecheckInterval() {
            return recheckInterval;
        }

        public void setRecheckInterval(Duration recheckInterval) {
            this.recheckInterval = recheckInterval;
        }
    }

    /** The agent-saga tables. */
    public static class Schema {

        /** Whether to apply agent-saga's Liquibase changelog at start-up; switch off to manage the schema yourself. */
        private boolean initialize = true;

        public boolean isInitialize() {
            return initialize;
        }

        public void setInitialize(boolean initialize) {
            this.initialize = initialize;
        }
    }

    /** Retries, backoff and timeout of actions that do not declare their own policy. */
    public static class Policy {

        /** Attempts in all, the first included; IRREVERSIBLE actions always get one. */
        private int maxAttempts = 3;

        /** Upper bound of the first pause between attempts (the pause is random below it). */
        private Duration initialBackoff = Duration.ofMillis(200);

        /** Cap on any pause between attempts. */
        private Duration maxBackoff = Duration.ofSeconds(10);

        /** Growth of the pause bound from one attempt to the next. */
        private double multiplier = 2.0;

        /** Longest an attempt may take before it is interrupted; 0 for no limit. */
        private Duration timeout = Duration.ZERO;

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Journaled language model calls. */
    public static class Llm {

        /** What to do when a journaled model call's request fingerprint differs on replay. */
        private DriftPolicy driftPolicy = DriftPolicy.FAIL;

        /**
         * Rate limits of model calls by model name (or the rate key a call names), shared by every node on the
         * database: a call over its model's limit waits durably for the next minute.
         */
        private final Map<String, RateLimit> rateLimits = new LinkedHashMap<>();

        public DriftPolicy getDriftPolicy() {
            return driftPolicy;
        }

        public void setDriftPolicy(DriftPolicy driftPolicy) {
            this.driftPolicy = driftPolicy;
        }

        public Map<String, RateLimit> getRateLimits() {
            return rateLimits;
        }
    }

    /** The rate limit of one model's calls, per minute (UTC), across the fleet. */
    public static class RateLimit {

        /** The most calls in a minute; 0 for no limit on calls. */
        private int requestsPerMinute;

        /** The most tokens (input and output, as recorded) in a minute; 0 for no limit on tokens. */
        private long tokensPerMinute;

        public int getRequestsPerMinute() {
            return requestsPerMinute;
        }

        public void setRequestsPerMinute(int requestsPerMinute) {
            this.requestsPerMinute = requestsPerMinute;
        }

        public long getTokensPerMinute() {
            return tokensPerMinute;
        }

        public void setTokensPerMinute(long tokensPerMinute) {
            this.tokensPerMinute = tokensPerMinute;
        }
    }

    /** Journal writes of concurrent sagas sharing one transaction and one commit. */
    public static class GroupCommit {

        /**
         * Whether concurrent sagas' journal writes share transactions; a saga goes on only once its own write
         * is durable. Unset: on, except on MariaDB and MySQL.
         */
        private @Nullable Boolean enabled;

        /** Most journal writes in one shared transaction. */
        private int maxBatch = 64;

        public @Nullable Boolean getEnabled() {
            return enabled;
        }

        public void setEnabled(@Nullable Boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxBatch() {
            return maxBatch;
        }

        public void setMaxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
        }
    }

    /** The deletion of finished sagas, and their archiving before it. */
    public static class Retention {

        /**
         * How long the finished sagas (COMPLETED, COMPENSATED, FAILED) of every workflow without a retention of
         * its own are kept, counted from their creation, before they are deleted with their steps and signals.
         * Unset: kept.
         */
        private @Nullable Duration keepFinished;

        /** Retentions of their own, by workflow name: how long each workflow's finished sagas are kept. */
        private Map<String, Duration> workflows = new LinkedHashMap<>();

        /** Most finished sagas one transaction deletes. */
        private int batchSize = 500;

        /** How often a node looks for finished sagas to delete; one node at a time deletes. */
        private Duration interval = Duration.ofMinutes(1);

        /**
         * Share of the time a node spends deleting while it has a backlog, above 0 and at most 1; it pauses
         * between batches for the rest, leaving the database to the sagas that run.
         */
        private double dutyCycle = 0.1;

        /**
         * Directory where finished sagas are archived before they are deleted, as JSON lines in the journal
         * export format, one file per day. Unset: not archived (a SagaArchiver bean archives instead).
         */
        private @Nullable Path archiveDirectory;

        public @Nullable Duration getKeepFinished() {
            return keepFinished;
        }

        public void setKeepFinished(@Nullable Duration keepFinished) {
            this.keepFinished = keepFinished;
        }

        public Map<String, Duration> getWorkflows() {
            return workflows;
        }

        public void setWorkflows(Map<String, Duration> workflows) {
            this.workflows = workflows;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public double getDutyCycle() {
            return dutyCycle;
        }

        public void setDutyCycle(double dutyCycle) {
            this.dutyCycle = dutyCycle;
        }

        public @Nullable Path getArchiveDirectory() {
            return archiveDirectory;
        }

        public void setArchiveDirectory(@Nullable Path archiveDirectory) {
            this.archiveDirectory = archiveDirectory;
        }

        /** These settings as the engine takes them. */
        public SagaRetention toRetention() {
            return new SagaRetention(keepFinished, workflows, batchSize, interval, dutyCycle);
        }
    }

    /** The sagas actuator endpoint. */
    public static class Endpoint {

        /** Payload field names whose values the endpoint masks, at any depth, compared ignoring case, '-' and '_'. */
        private List<String> redact = new ArrayList<>(List.of("password", "passwd", "secret", "token", "apiKey",
                "accessKey", "privateKey", "authorization", "credentials", "cookie"));

        public List<String> getRedact() {
            return redact;
        }

        public void setRedact(List<String> redact) {
            this.redact = redact;
        }
    }

    /** Encryption at rest of the journal's payloads (AES-256-GCM). */
    public static class Encryption {

        /** Id of the key that encrypts new payloads; setting it turns encryption of the journal's payloads on. */
        private @Nullable String currentKey;

        /**
         * Encryption keys by id, each the base64 of 32 random bytes; keep every key that stored payloads are
         * encrypted under until they are re-encrypted.
         */
        private Map<String, String> keys = new LinkedHashMap<>();

        public @Nullable String getCurrentKey() {
            return currentKey;
        }

        public void setCurrentKey(@Nullable String currentKey) {
            this.currentKey = currentKey;
        }

        public Map<String, String> getKeys() {
            return keys;
        }

        public void setKeys(Map<String, String> keys) {
            this.keys = keys;
        }

        /** Whether a key is configured at all: encryption is then on, or the start-up fails saying what is missing. */
        boolean isConfigured() {
            return currentKey != null || !keys.isEmpty();
        }

        /** The ids only, never the keys. */
        @Override
        public String toString() {
            return "Encryption[currentKey=" + currentKey + ", keys=" + keys.keySet() + "]";
        }
    }

    /** agent-saga in a Spring MVC application. */
    public static class Web {

        private final ProblemDetails problemDetails = new ProblemDetails();

        public ProblemDetails getProblemDetails() {
            return problemDetails;
        }

        /** agent-saga's exceptions answered as RFC 9457 problem details. */
        public static class ProblemDetails {

            /** Whether agent-saga's exceptions thrown from Spring MVC controllers are answered as RFC 9457 problem details with a fitting status. */
            private boolean enabled = true;

            public boolean isEnabled() {
                return enabled;
            }

            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }
        }
    }
}
