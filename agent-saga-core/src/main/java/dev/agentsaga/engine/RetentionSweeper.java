package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.SagaRetention;
import dev.agentsaga.spi.ArchiveFailedException;
import dev.agentsaga.spi.RetentionBatch;
import dev.agentsaga.spi.SagaArchiver;

/**
 * Deletes finished sagas past their retention, on a thread of its own: every interval, rule by rule (each
 * workflow with a retention of its own, then the others), batch after batch until a batch comes back short,
 * pausing between batches for the rest of its duty cycle.
 * A round stops when another engine holds the retention lock (it is deleting), when archiving fails, or when
 * the database fails; the next round tries again.
 */
final class RetentionSweeper {

    // the engine's logger, so that one logger name covers what the engine does
    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);

    private final EngineServices services;

    private final SagaRetention retention;

    private final @Nullable SagaArchiver archiver;

    private final ScheduledExecutorService scheduler;

    private volatile boolean stopping;

    RetentionSweeper(EngineServices services, SagaRetention retention, @Nullable SagaArchiver archiver,
            ThreadFactory threads) {
        this.services = services;
        this.retention = retention;
        this.archiver = archiver;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads);
    }

    /** Rounds every interval, the first at a random point of the first interval so nodes started together spread. */
    void start() {
        long interval = retention.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::sweep, ThreadLocalRandom.current().nextLong(interval), interval,
                TimeUnit.MILLISECONDS);
    }

    /** Stops after the batch under way, if any (its transaction commits or rolls back whole). */
    void stop() {
        stopping = true;
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
    }

    /** One round. */
    void sweep() {
        try {
            for (Rule rule : rules()) {
                if (!sweep(rule)) {
                    return;
                }
            }
        }
        catch (ArchiveFailedException ex) {
            log.warn("Retention stopped for this round: {}", ex.getMessage());
        }
        catch (RuntimeException ex) {
            log.warn("Retention stopped for this round; it tries again in {}: {}", retention.interval(),
                    ex.getMessage());
        }
    }

    /** Deletes the rule's expired sagas batch by batch; false when another engine holds the lock. */
    private boolean sweep(Rule rule) {
        while (!stopping) {
            Instant now = services.now();
            long begin = System.nanoTime();
            RetentionBatch.Deleted deleted = services.store().deleteFinished(new RetentionBatch(
                    services.settings().nodeId(), rule.workflow(), rule.excluded(), now.minus(rule.keep()),
                    retention.batchSize(), now), archiver);
            if (deleted == null) {
                log.debug("Retention: another engine holds the retention lock");
                return false;
            }
            if (deleted.sagas() > 0) {
                Duration took = Duration.ofNanos(System.nanoTime() - begin);
                services.observer().retentionDeleted(deleted.sagas(), deleted.rows(), took);
                log.debug("Retention deleted {} finished sagas ({} rows) of {} in {} ms", deleted.sagas(),
                        deleted.rows(), rule.workflow() == null ? "workflows without a retention of their own"
                                : "workflow '" + rule.workflow() + "'", took.toMillis());
            }
            if (deleted.sagas() < retention.batchSize()) {
                return true;
            }
            pauseAfter(System.nanoTime() - begin);
        }
        return false;
    }

    /** Leaves the database to the running sagas for the rest of the duty cycle after a batch. */
    private void pauseAfter(long batchNanos) {
        double share = retention.dutyCycle();
        long pause = (long) (batchNanos * (1 - share) / share);
        if (pause > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(pause);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    private List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (Map.Entry<String, Duration> workflow : retention.workflows().entrySet()) {
            rules.add(new Rule(workflow.getKey(), Set.of(), workflow.getValue()));
        }
        Duration others = retention.keepFinished();
        if (others != null) {
            rules.add(new Rule(null, retention.workflows().keySet(), others));
        }
        return rules;
    }

    /** The sagas of {@code workflow} (or of every workflow but {@code excluded}) are kept for {@code keep}. */
    private record Rule(@Nullable String workflow, Set<String> excluded, Duration keep) {
    }
}
