package dev.agentsaga.autoconfigure.actuate;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.ForkOverrides;
import dev.agentsaga.Page;
import dev.agentsaga.Resolution;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaExport;
import dev.agentsaga.SagaSummary;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.spi.StepRecord;

/**
 * The {@code sagas} endpoint: lists sagas, shows one with its step timeline, its parent, the saga it was
 * forked from and its children, compares two, and (when access is {@code unrestricted}) retries, cancels,
 * resolves, signals, erases and forks them. Read-only by default: write operations change sagas, so they
 * are exposed only when {@code management.endpoint.sagas.access} is set to {@code unrestricted}.
 */
@Endpoint(id = "sagas", defaultAccess = Access.READ_ONLY)
public class SagasEndpoint {

    private static final int DEFAULT_PAGE_SIZE = 20;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SagaCoordinator coordinator;

    private final PayloadRedactor redactor;

    public SagasEndpoint(SagaCoordinator coordinator, PayloadRedactor redactor) {
        this.coordinator = coordinator;
        this.redactor = redactor;
    }

    /**
     * A page of sagas, newest first, optionally of some statuses (comma-separated) and one workflow, with
     * the number of matching sagas counted up to a limit ({@code totalExact} false beyond it).
     */
    @ReadOperation
    public SagaList sagas(@Nullable String status, @Nullable String workflow, @Nullable Integer page,
            @Nullable Integer size) {
        SagaQuery query = SagaQuery.all().withWorkflow(workflow)
                .withPage(page == null ? 0 : page, size == null ? DEFAULT_PAGE_SIZE : size);
        if (status != null && !status.isBlank()) {
            query = query.withStatuses(statuses(status).toArray(SagaStatus[]::new));
        }
        Page<SagaSummary> result;
        try {
            result = coordinator.list(query);
        }
        catch (IllegalArgumentException ex) {
            throw bad(ex.getMessage());
        }
        return new SagaList(result.items(), result.page(), result.size(), result.total(), result.totalExact());
    }

    /**
     * One saga with its timeline, the saga and step that started it (a child), the saga and step it was forked
     * from (a fork) and the tree of its children; null (404) when there is none with this id.
     */
    @ReadOperation
    public @Nullable SagaDetail saga(@Selector String id) {
        return coordinator.find(id).map(this::detail).orElse(null);
    }

    /**
     * A saga's journal in the form of {@link SagaExport#toJson()}, for keeping or replaying elsewhere
     * ({@code GET /actuator/sagas/{id}/journal}), with the same payload fields masked as in the detail;
     * null (404) when there is no saga with this id.
     */
    @ReadOperation
    public @Nullable Map<String, Object> journal(@Selector String id, @Selector String part) {
        if (!"journal".equals(part)) {
            throw bad("Unknown part '" + part + "' of a saga; use journal");
        }
        return coordinator.export(id).map(this::masked)
                .map(export -> JSON.readValue(export.toJson(), new TypeReference<Map<String, Object>>() {
                }))
                .orElse(null);
    }

    /**
     * Two sagas of one workflow side by side ({@code GET /actuator/sagas/{a}/compare/{b}}, see
     * {@link SagaCoordinator#compare}): where their journals part, the steps that differ with the tool calls
     * their model turns asked for, and how each ended, with the same payload fields masked as in the detail;
     * null (404) when either saga does not exist.
     */
    @ReadOperation
    public @Nullable SagaComparisonDetail compare(@Selector String a, @Selector String part, @Selector String b) {
        if (!"compare".equals(part)) {
            throw bad("Unknown part '" + part + "' of two sagas; use compare");
        }
        try {
            return SagaComparisonDetail.of(coordinator.compare(a, b), redactor);
        }
        catch (SagaNotFoundException ex) {
            return null;
        }
        catch (AgentSagaException ex) {
            throw bad(ex.getMessage());
        }
    }

    /**
     * Operates on a saga: {@code retry}, {@code cancel}, {@code resolve} (with {@code outcome}
     * HAPPENED, RETRY or COMPENSATE, an {@code output} when it happened, and a {@code note}),
     * {@code signal} (with {@code name} and {@code payload}), {@code erase} (a finished saga's payloads,
     * see {@link SagaCoordinator#erase}) or {@code fork} (from step {@code fromStep}, optionally in another
     * {@code workflowVersion}, with another {@code model} and {@code systemPrompt}, see
     * {@link SagaCoordinator#fork}). Returns the saga as it is afterwards; for {@code fork}, the new fork. A saga
     * that does not exist is refused like an operation it is not in the status for, with the reason: an empty
     * answer would read as done.
     */
    @WriteOperation
    public @Nullable SagaDetail operate(@Selector String id, @Selector String operation, @Nullable String outcome,
            @Nullable Object output, @Nullable String note, @Nullable String name, @Nullable Object payload,
            @Nullable Integer fromStep, @Nullable String workflowVersion, @Nullable String model,
            @Nullable String systemPrompt) {
        try {
            switch (operation.toLowerCase(Locale.ROOT)) {
                case "retry" -> coordinator.retry(id);
                case "cancel" -> coordinator.cancel(id);
                case "resolve" -> coordinator.resolve(id, resolution(outcome, output, note));
                case "signal" -> coordinator.signal(id, required(name, "name"), payload);
                case "erase" -> coordinator.erase(id);
                case "fork" -> {
                    return saga(coordinator.fork(id, required(fromStep, "fromStep"),
                            overrides(workflowVersion, model, systemPrompt)).id());
                }
                default -> throw bad("Unknown operation '" + operation + "'; use retry, cancel, resolve, signal, "
                        + "erase or fork");
            }
        }
        catch (AgentSagaException | IllegalArgumentException ex) {
            throw bad(ex.getMessage());
        }
        return saga(id);
    }

    private SagaDetail detail(SagaView view) {
        List<StepDetail> steps = view.steps().stream().map(this::step).toList();
        return new SagaDetail(view.id(), view.workflow(), view.workflowVersion(), view.status(),
                redactor.redact(view.input()), redactor.redact(view.output()), view.error(), view.errorStep(),
                view.cancelRequested(), view.wakeAt(), view.createdAt(), view.updatedAt(), view.tokensSpent(),
                view.tokensSaved(), view.tokensReplayed(), view.recoveredFrom(), view.erasedAt(), view.parentId(),
                view.parentStep(), view.forkedFrom(), view.forkStep(), view.children(), steps);
    }

    private SagaExport masked(SagaExport export) {
        List<StepRecord> steps = export.steps().stream().map(step -> new StepRecord(step.sagaId(), step.seq(),
                step.name(), step.kind(), step.reversibility(), step.status(), masked(step.input()),
                masked(step.output()), masked(step.error()), step.attempts(), step.startedAt(), step.finishedAt(),
                step.compensationAttempts(), step.compensationError(), step.compensatedAt(), step.resolution(),
                step.note(), step.fingerprint(), step.inputTokens(), step.outputTokens())).toList();
        return new SagaExport(export.id(), export.workflow(), export.workflowVersion(), export.status(),
                masked(export.input()), masked(export.output()), export.error(), export.cancelRequested(),
                export.createdAt(), export.erasedAt(), steps);
    }

    private @Nullable String masked(@Nullable String json) {
        return json == null ? null : JSON.writeValueAsString(redactor.redact(json));
    }

    private StepDetail step(StepView step) {
        Long duration = step.duration() == null ? null : step.duration().toMillis();
        return new StepDetail(step.seq(), step.name(), step.kind().name(), step.status().name(),
                step.reversibility() == null ? null : step.reversibility().name(), step.attempts(),
                step.startedAt(), step.finishedAt(), duration, redactor.redact(step.input()),
                redactor.redact(step.output()), redactor.redact(step.error()), step.compensationAttempts(),
                step.compensationError(), step.compensatedAt(), step.compensationNote(), step.idempotencyKey(),
                step.inputTokens(), step.outputTokens());
    }

    private static Resolution resolution(@Nullable String outcome, @Nullable Object output, @Nullable String note) {
        Resolution.Outcome decided;
        try {
            decided = Resolution.Outcome.valueOf(required(outcome, "outcome").toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw bad("outcome must be HAPPENED, RETRY or COMPENSATE, was '" + outcome + "'");
        }
        return new Resolution(decided, output, note == null ? "" : note);
    }

    private static ForkOverrides overrides(@Nullable String workflowVersion, @Nullable String model,
            @Nullable String systemPrompt) {
        ForkOverrides overrides = ForkOverrides.none();
        if (workflowVersion != null) {
            overrides = overrides.withWorkflowVersion(workflowVersion);
        }
        if (model != null) {
            overrides = overrides.withModel(model);
        }
        if (systemPrompt != null) {
            overrides = overrides.withSystemPrompt(systemPrompt);
        }
        return overrides;
    }

    private static Set<SagaStatus> statuses(String list) {
        Set<SagaStatus> statuses = EnumSet.noneOf(SagaStatus.class);
        for (String status : list.split(",")) {
            try {
                statuses.add(SagaStatus.valueOf(status.trim().toUpperCase(Locale.ROOT)));
            }
            catch (IllegalArgumentException ex) {
                throw bad("Unknown status '" + status.trim() + "'; use one of " + EnumSet.allOf(SagaStatus.class));
            }
        }
        return statuses;
    }

    private static String required(@Nullable String value, String what) {
        if (value == null || value.isBlank()) {
            throw bad("'" + what + "' is required");
        }
        return value;
    }

    private static int required(@Nullable Integer value, String what) {
        if (value == null) {
            throw bad("'" + what + "' is required");
        }
        return value;
    }

    private static InvalidEndpointRequestException bad(@Nullable String reason) {
        return new InvalidEndpointRequestException(String.valueOf(reason), reason);
    }

    /**
     * A page of sagas.
     *
     * @param total how many sagas match when {@code totalExact}; otherwise counting stopped there and more
     *     match (see {@link Page})
     */
    public record SagaList(List<SagaSummary> sagas, int page, int size, long total, boolean totalExact) {
    }

    /**
     * A saga with its timeline; payloads as JSON values with sensitive fields masked.
     *
     * @param erasedAt when the saga's payloads were erased ({@link SagaCoordinator#erase}), or null
     * @param parentId the saga that started this one as a child, or null
     * @param parentStep the parent's step that started it, or null
     * @param forkedFrom the saga this one was forked from, or null
     * @param forkStep the first step this fork ran itself (the steps before it are the source's), or null
     * @param children the child sagas this one started, each with the step that started it, its workflow, its
     *     status and its own children
     */
    public record SagaDetail(String id, String workflow, String workflowVersion, SagaStatus status,
            @Nullable Object input, @Nullable Object output, @Nullable String error, @Nullable Integer errorStep,
            boolean cancelRequested, @Nullable Instant wakeAt, Instant createdAt, Instant updatedAt, long tokensSpent,
            long tokensSaved, long tokensReplayed, List<String> recoveredFrom, @Nullable Instant erasedAt,
            @Nullable String parentId, @Nullable Integer parentStep, @Nullable String forkedFrom,
            @Nullable Integer forkStep, List<SagaView.Child> children, List<StepDetail> steps) {
    }

    /** One step of the timeline. */
    public record StepDetail(int seq, String name, String kind, String status, @Nullable String reversibility,
            int attempts, @Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable Long durationMillis,
            @Nullable Object input, @Nullable Object output, @Nullable Object error, int compensationAttempts,
            @Nullable String compensationError, @Nullable Instant compensatedAt, @Nullable String note,
            String idempotencyKey, @Nullable Integer inputTokens, @Nullable Integer outputTokens) {
    }
}
