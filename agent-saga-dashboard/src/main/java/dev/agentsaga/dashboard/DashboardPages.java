package dev.agentsaga.dashboard;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import dev.agentsaga.InvalidSagaStateException;
import dev.agentsaga.SagaNotFoundException;
import dev.agentsaga.SagaStatus;

/** The pages: the list, a saga, two sagas compared, the inbox, and the page that says what went wrong. */
final class DashboardPages {

    /** What a page is sent with: never cached (it shows personal data), no script or style from elsewhere, no frames. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static final Map<String, String> NOTICES = Map.of("approve", "Approved: the saga goes on.",
            "reject", "Rejected: the saga stops the tool call.", "resolve", "Resolved: the saga goes on.",
            "retry", "Retrying the saga.", "cancel", "Cancelled: the saga compensates what it did.");

    private final SagaDashboard dashboard;

    private final DashboardTemplates templates;

    private final OperatorAccess access;

    private final DashboardProperties properties;

    private final Formats formats;

    private final String assetVersion;

    DashboardPages(SagaDashboard dashboard, DashboardTemplates templates, OperatorAccess access,
            DashboardProperties properties, Formats formats, String assetVersion) {
        this.dashboard = dashboard;
        this.templates = templates;
        this.access = access;
        this.properties = properties;
        this.formats = formats;
        this.assetVersion = assetVersion;
    }

    ServerResponse list(ServerRequest request) {
        SagaListPage page;
        try {
            page = dashboard.list(param(request, "status"), param(request, "workflow"), number(request, "page", 0),
                    number(request, "size", SagaDashboard.DEFAULT_PAGE_SIZE));
        }
        catch (IllegalArgumentException ex) {
            return error(request, HttpStatus.BAD_REQUEST, String.valueOf(ex.getMessage()));
        }
        String id = param(request, "id");
        if (id != null && !id.isBlank()) {
            if (dashboard.exists(id.trim())) {
                return ServerResponse.seeOther(java.net.URI.create(urls(request).saga(id.trim()))).build();
            }
            page = dashboard.notFound(page, id.trim());
        }
        Map<String, Object> model = model(request, "list", page.counts().needsPerson());
        model.put("list", page);
        model.put("statuses", SagaStatus.values());
        return html(HttpStatus.OK, templates.render("list", model));
    }

    ServerResponse saga(ServerRequest request) {
        String id = request.pathVariable("id");
        Optional<SagaDetail> detail = dashboard.detail(id);
        if (detail.isEmpty()) {
            return error(request, HttpStatus.NOT_FOUND, "No saga has the id '" + id + "'.");
        }
        Map<String, Object> model = model(request, "saga", dashboard.needsPerson());
        model.put("detail", detail.get());
        model.put("saga", detail.get().saga());
        return html(HttpStatus.OK, templates.render("saga", model));
    }

    /** Two sagas side by side: {@code ?a=...&b=...}, {@code a} on the left. */
    ServerResponse compare(ServerRequest request) {
        String a = param(request, "a");
        String b = param(request, "b");
        if (a == null || a.isBlank() || b == null || b.isBlank()) {
            return error(request, HttpStatus.BAD_REQUEST, "Name the two sagas to compare: ?a=...&b=...");
        }
        Comparison comparison;
        try {
            comparison = dashboard.compare(a.trim(), b.trim());
        }
        catch (SagaNotFoundException ex) {
            return error(request, HttpStatus.NOT_FOUND, "No saga has the id '" + ex.sagaId() + "'.");
        }
        catch (InvalidSagaStateException ex) {
            return error(request, HttpStatus.BAD_REQUEST, String.valueOf(ex.getMessage()));
        }
        Map<String, Object> model = model(request, "compare", dashboard.needsPerson());
        model.put("comparison", comparison);
        return html(HttpStatus.OK, templates.render("compare", model));
    }

    ServerResponse inbox(ServerRequest request) {
        Inbox inbox = dashboard.inbox();
        Map<String, Object> model = model(request, "inbox",
                inbox.attentionCount().plus(inbox.compensationFailedCount()));
        model.put("inbox", inbox);
        return html(HttpStatus.OK, templates.render("inbox", model));
    }

    /** A page that says what went wrong, with a way back. */
    ServerResponse error(ServerRequest request, HttpStatusCode status, String message) {
        Map<String, Object> model = model(request, "error", null);
        model.put("status", status.value());
        model.put("message", message);
        return html(status, templates.render("error", model));
    }

    private Map<String, Object> model(ServerRequest request, String page, StatusCounts.@Nullable Count needsPerson) {
        Map<String, Object> model = new HashMap<>();
        model.put("page", page);
        model.put("urls", urls(request));
        model.put("fmt", formats);
        model.put("access", access.decide(request.servletRequest()));
        Optional.ofNullable(access.formToken(request.servletRequest())).ifPresent(token -> model.put("token", token));
        model.put("refreshMillis", properties.getRefreshInterval().toMillis());
        Optional.ofNullable(needsPerson).ifPresent(count -> model.put("needsPerson", count));
        request.param("done").map(NOTICES::get).ifPresent(notice -> model.put("notice", notice));
        return model;
    }

    DashboardUrls urls(ServerRequest request) {
        return new DashboardUrls(request.servletRequest().getContextPath() + properties.basePath(), assetVersion);
    }

    static ServerResponse html(HttpStatusCode status, String body) {
        return ServerResponse.status(status).contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
                .header("Cache-Control", "no-store").header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "same-origin").body(body);
    }

    private static @Nullable String param(ServerRequest request, String name) {
        return request.param(name).orElse(null);
    }

    private static int number(ServerRequest request, String name, int fallback) {
        Optional<String> value = request.param(name).filter(text -> !text.isBlank());
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.get().trim());
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " must be a number, was '" + value.get() + "'");
        }
    }
}
