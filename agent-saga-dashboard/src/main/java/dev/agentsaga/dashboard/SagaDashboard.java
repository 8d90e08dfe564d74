package dev.agentsaga.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.Page;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.autoconfigure.actuate.PayloadRedactor;

/**
 * The read side of the dashboard: the list with its counts, one saga, two sagas compared, and the inbox, all
 * from the {@link SagaCoordinator} (the store's paged queries and its journal), with payloads masked by the
 * actuator endpoint's {@link PayloadRedactor}.
 */
public final class SagaDashboard {

    /** How many of the newest WAITING sagas the inbox looks at for approvals. */
    static final int WAITING_CHECKED = 100;

    /** How many sagas each other section of the inbox shows. */
    static final int INBOX_SECTION = 50;

    static final int DEFAULT_PAGE_SIZE = 25;

    static final int MAX_PAGE_SIZE = 200;

    private final SagaCoordinator coordinator;

    private final Payloads payloads;

    private final Supplier<Instant> clock;

    public SagaDashboard(SagaCoordinator coordinator, PayloadRedactor redactor, Supplier<Instant> clock) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator must not be null");
        this.payloads = new Payloads(Objects.requireNonNull(redactor, "redactor must not be null"));
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * A page of sagas, newest first.
     *
     * @param statuses the statuses to keep, comma-separated; null or blank for all
     * @throws IllegalArgumentException for an unknown status or a page out of range
     */
    public SagaListPage list(@Nullable String statuses, @Nullable String workflow, int page, int size) {
        Set<SagaStatus> kept = statuses(statuses);
        String flow = workflow == null || workflow.isBlank() ? null : workflow.trim();
        int pageSize = Math.max(1, Math.min(size, MAX_PAGE_SIZE));
        SagaQuery query = SagaQuery.all().withWorkflow(flow).withPage(Math.max(0, page), pageSize);
        if (!kept.isEmpty()) {
            query = query.withStatuses(kept.toArray(SagaStatus[]::new));
        }
        Page<SagaSummary> result = coordinator.list(query);
        return new SagaListPage(result.items(), kept, flow, result.page(), result.size(),
                new StatusCounts.Count(result.total(), result.totalExact()), result.hasNext(), counts(flow), null);
    }

    /** The same list page, noting that a search for {@code id} found no saga. */
    public SagaListPage notFound(SagaListPage page, String id) {
        return new SagaListPage(page.sagas(), page.statuses(), page.workflow(), page.page(), page.size(),
                page.total(), page.hasNext(), page.counts(), id);
    }

    /** How many sagas of the workflow (all when null) are in each status: one page of one per status. */
    public StatusCounts counts(@Nullable String workflow) {
        Map<SagaStatus, StatusCounts.Count> counts = new EnumMap<>(SagaStatus.class);
        for (SagaStatus status : SagaStatus.values()) {
            counts.put(status, count(status, workflow));
        }
        return new StatusCounts(counts);
    }

    /** How many sagas are in NEEDS_ATTENTION or COMPENSATION_FAILED (each counted up to the store's limit). */
    public StatusCounts.Count needsPerson() {
        return count(SagaStatus.NEEDS_ATTENTION, null).plus(count(SagaStatus.COMPENSATION_FAILED, null));
    }

    /** Whether a saga has this id. */
    public boolean exists(String id) {
        return coordinator.find(id).isPresent();
    }

    /** One saga as its page shows it; empty when no saga has this id. */
    public Optional<SagaDetail> detail(String id) {
        return coordinator.find(id).map(this::detail);
    }

    /**
     * Two sagas of one workflow side by side, {@code a} on the left, with their payloads masked.
     *
     * @throws dev.agentsaga.SagaNotFoundException when either saga does not exist
     * @throws dev.agentsaga.InvalidSagaStateException when they run different workflows
     */
    public Comparison compare(String a, String b) {
        return Comparison.of(coordinator.compare(a, b), payloads);
    }

    /** What the saga waits for from a person; empty when no saga has this id. */
    public Optional<PendingDecision> pending(String id) {
        return coordinator.find(id).map(saga -> PendingDecision.of(saga, payloads));
    }

    private SagaDetail detail(SagaView saga) {
        Integer forkStep = saga.forkStep();
        List<SagaDetail.StepRow> steps = saga.steps().stream()
                .map(step -> new SagaDetail.StepRow(step, payloads.show(step.input()), payloads.show(step.output()),
                        payloads.show(step.error()), TimelineChart.isInDoubt(saga, step),
                        SagaDetail.childAt(saga, step.seq()), forkStep != null && step.seq() < forkStep))
                .toList();
        StepView errorStep = saga.errorStep() == null ? null
                : saga.steps().stream().filter(step -> step.seq() == saga.errorStep()).findFirst().orElse(null);
        Instant now = clock.get();
        Duration elapsed = Duration.between(saga.createdAt(), saga.status().isTerminal() ? saga.updatedAt() : now);
        return new SagaDetail(saga, payloads.show(saga.input()), payloads.show(saga.output()), steps,
                TimelineChart.of(saga, now), Conversation.of(saga, payloads), PendingDecision.of(saga, payloads),
                errorStep, elapsed);
    }

    /**
     * The sagas that need a person: approvals among the newest WAITING sagas, NEEDS_ATTENTION,
     * COMPENSATION_FAILED, and the workflow versions whose sagas no running node resumes.
     */
    public Inbox inbox() {
        Page<SagaSummary> waiting = coordinator.list(SagaQuery.all().withStatuses(SagaStatus.WAITING)
                .withPage(0, WAITING_CHECKED));
        List<Inbox.Item> approvals = new ArrayList<>();
        for (Inbox.Item item : items(waiting.items())) {
            if (item.decision().kind() == PendingDecision.Kind.APPROVAL) {
                approvals.add(item);
            }
        }
        Page<SagaSummary> attention = section(SagaStatus.NEEDS_ATTENTION);
        Page<SagaSummary> compensationFailed = section(SagaStatus.COMPENSATION_FAILED);
        return new Inbox(approvals, items(attention.items()), items(compensationFailed.items()),
                new StatusCounts.Count(attention.total(), attention.totalExact()),
                new StatusCounts.Count(compensationFailed.total(), compensationFailed.totalExact()),
                waiting.items().size(), waiting.hasNext(), coordinator.fleet().unserved());
    }

    private Page<SagaSummary> section(SagaStatus status) {
        return coordinator.list(SagaQuery.all().withStatuses(status).withPage(0, INBOX_SECTION));
    }

    private List<Inbox.Item> items(List<SagaSummary> summaries) {
        List<Inbox.Item> items = new ArrayList<>();
        for (SagaSummary summary : summaries) {
            // a saga may have moved on between the list and the look at its journal: it is then left out
            coordinator.find(summary.id()).filter(saga -> saga.status() == summary.status())
                    .ifPresent(saga -> items.add(new Inbox.Item(saga, PendingDecision.of(saga, payloads))));
        }
        return items;
    }

    private StatusCounts.Count count(SagaStatus status, @Nullable String workflow) {
        Page<SagaSummary> page = coordinator.list(SagaQuery.all().withStatuses(status).withWorkflow(workflow)
                .withPage(0, 1));
        return new StatusCounts.Count(page.total(), page.totalExact());
    }

    private static Set<SagaStatus> statuses(@Nullable String list) {
        Set<SagaStatus> statuses = EnumSet.noneOf(SagaStatus.class);
        if (list == null || list.isBlank()) {
            return statuses;
        }
        for (String status : list.split(",")) {
            if (status.isBlank()) {
                continue;
            }
            try {
                statuses.add(SagaStatus.valueOf(status.trim().toUpperCase(Locale.ROOT)));
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("Unknown status '" + status.trim() + "'; use one of "
                        + EnumSet.allOf(SagaStatus.class));
            }
        }
        return statuses;
    }
}
