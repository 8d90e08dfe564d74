package dev.agentsaga.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.PayloadException;
import dev.agentsaga.SagaIdConflictException;
import dev.agentsaga.SagaSchedule;
import dev.agentsaga.ScheduleView;
import dev.agentsaga.spi.ScheduleRecord;

/**
 * Fires the engine's schedules on a thread of its own: at every check, each schedule whose next tick is due reads
 * its row (the latest tick started), starts the due ticks' sagas under their derived ids, then moves the row on
 * with a compare-and-set. Every node does this; the ids make the starts idempotent, so a tick that several nodes
 * fire, or that a node fired before it died and the next fires again, is one saga. Between ticks a check reads
 * nothing: the latest tick known is kept in memory.
 */
final class Scheduler {

    // the engine's logger, so that one logger name covers what the engine does
    private static final Logger log = LoggerFactory.getLogger(DefaultSagaEngine.class);

    /** The most ticks one check starts within a schedule's grace, or counts as skipped. */
    private static final int MAX_TICKS = 10_000;

    /** Starts a saga; true when this call created it. */
    @FunctionalInterface
    interface Starter {
        boolean start(String workflow, @Nullable Object input, String sagaId);
    }

    private final EngineServices services;

    private final Map<String, SagaSchedule> schedules;

    private final Map<String, @Nullable Object> inputs = new LinkedHashMap<>();

    private final Starter starter;

    private final ScheduledExecutorService thread;

    private final Map<String, Instant> lastTicks = new ConcurrentHashMap<>();

    /** @throws dev.agentsaga.UnknownWorkflowException when a schedule names a workflow that is not registered */
    Scheduler(EngineServices services, Map<String, SagaSchedule> schedules, Starter starter, ThreadFactory threads) {
        this.services = services;
        this.schedules = Map.copyOf(schedules);
        this.starter = starter;
        schedules.forEach((name, schedule) -> {
            Registry.WorkflowEntry workflow = services.registry().workflow(schedule.workflow());
            String json = schedule.inputJson();
            inputs.put(name, json == null ? schedule.input() : decodeInput(name, json, workflow));
        });
        this.thread = Executors.newSingleThreadScheduledExecutor(threads);
    }

    private @Nullable Object decodeInput(String name, String json, Registry.WorkflowEntry workflow) {
        try {
            return services.codec().decode(json, workflow.inputType());
        }
        catch (PayloadException ex) {
            throw new IllegalArgumentException("The input of schedule '" + name + "' is not JSON of the input type of "
                    + "workflow '" + workflow.name() + "' (" + workflow.inputType().getTypeName() + "): "
                    + ex.getMessage(), ex);
        }
    }

    /** Checks every {@code interval}, the first check at once. */
    void start(Duration interval) {
        thread.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops after the check under way; a tick it started and did not record is started again by the next node. */
    void stop() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
    }

    void check() {
        for (Map.Entry<String, SagaSchedule> schedule : schedules.entrySet()) {
            try {
                fire(schedule.getKey(), schedule.getValue());
            }
            catch (RuntimeException ex) {
                lastTicks.remove(schedule.getKey());
                log.warn("Schedule '{}' could not fire its due ticks; the next check tries again: {}",
                        schedule.getKey(), ex.getMessage());
            }
        }
    }

    /** Starts the schedule's due ticks, if any, and records the latest. */
    private void fire(String name, SagaSchedule schedule) {
        Instant now = services.now();
        Instant known = lastTicks.get(name);
        if (known != null) {
            Instant next = schedule.nextTick(known);
            if (next == null || next.isAfter(now)) {
                return;
            }
        }
        Instant last = services.store().schedule(name, now.truncatedTo(ChronoUnit.MILLIS)).lastTick();
        List<Instant> ticks = due(name, schedule, last, now);
        if (ticks.isEmpty()) {
            lastTicks.put(name, last);
            return;
        }
        for (Instant tick : ticks) {
            String sagaId = SagaSchedule.sagaId(name, tick);
            boolean created;
            try {
                created = starter.start(schedule.workflow(), inputs.get(name), sagaId);
            }
            catch (SagaIdConflictException ex) {
                // the tick has its saga, started with another input (a node with another configuration)
                log.warn("Schedule '{}': {}", name, ex.getMessage());
                created = false;
            }
            services.observer().scheduleFired(name, schedule.workflow(), tick, created);
            if (created) {
                log.debug("Schedule '{}' started saga {}", name, sagaId);
            }
        }
        Instant newest = ticks.get(ticks.size() - 1);
        if (services.store().advanceSchedule(name, last, newest, services.settings().nodeId(), services.now())) {
            lastTicks.put(name, newest);
        }
        else {
            // another node moved it on meanwhile: read it again at the next check
            lastTicks.remove(name);
        }
    }

    /** The ticks to start now, oldest first: those within the grace always, older ones by the missed-tick policy. */
    private List<Instant> due(String name, SagaSchedule schedule, Instant last, Instant now) {
        Instant graceStart = now.minus(schedule.grace());
        List<Instant> recent = schedule.ticksBetween(graceStart.isAfter(last) ? graceStart : last, now, MAX_TICKS);
        if (!graceStart.isAfter(last)) {
            return recent;
        }
        List<Instant> ticks = switch (schedule.missedTicks()) {
            case SKIP -> recent.isEmpty() ? schedule.ticksBetween(last, now, 1) : recent;
            case CATCH_UP -> schedule.ticksBetween(last, now, Math.max(schedule.maxCatchUp(), recent.size()));
        };
        if (!ticks.isEmpty()) {
            int skipped = schedule.ticksBetween(last, ticks.get(0).minusNanos(1), MAX_TICKS).size();
            if (skipped > 0) {
                log.info("Schedule '{}' skipped {}{} missed ticks after {} ({}); it starts {} from {}", name,
                        skipped == MAX_TICKS ? "at least " : "", skipped, last, schedule.missedTicks(), ticks.size(),
                        ticks.get(0));
                services.observer().scheduleTicksSkipped(name, schedule.workflow(), skipped);
            }
        }
        return ticks;
    }

    /** The schedules, with their rows. */
    List<ScheduleView> views() {
        Map<String, ScheduleRecord> rows = new LinkedHashMap<>();
        for (ScheduleRecord row : services.store().schedules()) {
            rows.put(row.name(), row);
        }
        Instant now = services.now();
        List<ScheduleView> views = new ArrayList<>();
        schedules.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            SagaSchedule schedule = entry.getValue();
            ScheduleRecord row = rows.get(entry.getKey());
            Instant from = row == null || row.lastTick().isBefore(now.minus(schedule.grace())) ? now : row.lastTick();
            views.add(new ScheduleView(entry.getKey(), schedule.workflow(), schedule.trigger(), schedule.missedTicks(),
                    row == null ? null : row.lastTick(), row == null ? null : row.firedBy(),
                    row == null ? null : row.firedAt(), schedule.nextTick(from)));
        });
        return views;
    }
}
