package dev.agentsaga.dashboard;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import dev.agentsaga.AgentSagaException;
import dev.agentsaga.Resolution;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaNotFoundException;

/**
 * The actions ({@code POST .../sagas/{id}/approve|reject|resolve|retry|cancel}): each is refused with 403
 * when posted from another site or when {@link OperatorAccess} says no, checked against what the saga
 * waits for, logged with the user, then answered with a redirect to the page it came from.
 */
final class DashboardActions {

    private static final Logger log = LoggerFactory.getLogger(DashboardActions.class);

    private final SagaCoordinator coordinator;

    private final SagaDashboard dashboard;

    private final OperatorAccess access;

    private final DashboardPages pages;

    DashboardActions(SagaCoordinator coordinator, SagaDashboard dashboard, OperatorAccess access, DashboardPages pages) {
        this.coordinator = coordinator;
        this.dashboard = dashboard;
        this.access = access;
        this.pages = pages;
    }

    ServerResponse act(ServerRequest request) {
        String id = request.pathVariable("id");
        String action = request.pathVariable("action").toLowerCase(Locale.ROOT);
        if (!SameOriginCheck.allows(request.servletRequest())) {
            return pages.error(request, HttpStatus.FORBIDDEN, "Actions must be posted from the dashboard's own pages.");
        }
        OperatorAccess.Decision decision = access.decide(request.servletRequest());
        if (!decision.allowed()) {
            return pages.error(request, HttpStatus.FORBIDDEN, decision.reason());
        }
        try {
            String done = perform(id, action, request, decision.user());
            log.info("Dashboard: {} {} saga {}{}", decision.user(), done, id, detail(request));
        }
        catch (SagaNotFoundException ex) {
            return pages.error(request, HttpStatus.NOT_FOUND, "No saga has the id '" + id + "'.");
        }
        catch (AgentSagaException | IllegalArgumentException ex) {
            return pages.error(request, HttpStatus.CONFLICT, String.valueOf(ex.getMessage()));
        }
        DashboardUrls urls = pages.urls(request);
        String back = "inbox".equals(request.param("return").orElse("")) ? urls.inbox() : urls.saga(id);
        return ServerResponse.seeOther(URI.create(back + "?done=" + action)).build();
    }

    private String perform(String id, String action, ServerRequest request, String user) {
        switch (action) {
            case "approve", "reject" -> {
                String tool = required(request, "tool");
                awaitsApproval(id, tool);
                Map<String, Object> approval = new LinkedHashMap<>();
                approval.put("approved", action.equals("approve"));
                approval.put("by", user);
                approval.put("reason", request.param("reason").orElse(""));
                coordinator.signal(id, Conversation.APPROVAL_PREFIX + tool, approval);
                return (action.equals("approve") ? "approved " : "rejected ") + tool + " of";
            }
            case "resolve" -> {
                Resolution.Outcome outcome = outcome(required(request, "outcome"));
                String output = request.param("output").filter(text -> !text.isBlank()).orElse(null);
                String note = request.param("note").filter(text -> !text.isBlank()).orElse("");
                coordinator.resolve(id, new Resolution(outcome,
                        outcome == Resolution.Outcome.HAPPENED && output != null ? Payloads.parse(output) : null,
                        note.isEmpty() ? user : user + ": " + note));
                return "resolved (" + outcome + ")";
            }
            case "retry" -> {
                coordinator.retry(id);
                return "retried";
            }
            case "cancel" -> {
                coordinator.cancel(id);
                return "cancelled";
            }
            default -> throw new IllegalArgumentException("Unknown action '" + action
                    + "'; use approve, reject, resolve, retry or cancel");
        }
    }

    /** Refuses an approval that the saga no longer waits for (already answered, or another tool). */
    private void awaitsApproval(String id, String tool) {
        PendingDecision pending = dashboard.pending(id)
                .orElseThrow(() -> new SagaNotFoundException("No saga has the id '" + id + "'", id));
        if (pending.kind() != PendingDecision.Kind.APPROVAL || !tool.equals(pending.tool())) {
            throw new IllegalArgumentException("Saga " + id + " does not wait for an approval of " + tool
                    + " (any more); reload the page to see where it is.");
        }
    }

    private static Resolution.Outcome outcome(String outcome) {
        try {
            return Resolution.Outcome.valueOf(outcome.trim().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("outcome must be HAPPENED, RETRY or COMPENSATE, was '" + outcome + "'");
        }
    }

    private static String required(ServerRequest request, String name) {
        return request.param(name).filter(value -> !value.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is required"));
    }

    private static String detail(ServerRequest request) {
        @Nullable String reason = request.param("reason").filter(text -> !text.isBlank()).orElse(null);
        return reason == null ? "" : " (" + reason.replaceAll("[\\r\\n]+", " ") + ")";
    }
}
