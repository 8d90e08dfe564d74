package dev.agentsaga.dashboard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.web.util.UriUtils;

/** The dashboard's links, under the servlet context path and the configured path; the templates reach it as {@code urls}. */
public final class DashboardUrls {

    private final String base;

    private final String assetVersion;

    DashboardUrls(String base, String assetVersion) {
        this.base = base;
        this.assetVersion = assetVersion;
    }

    /** The list. */
    public String list() {
        return base.isEmpty() ? "/" : base;
    }

    /** The list with a filter and a page. */
    public String list(@Nullable String status, @Nullable String workflow, int page, int size) {
        List<String> query = new ArrayList<>();
        add(query, "status", status);
        add(query, "workflow", workflow);
        if (page > 0) {
            query.add("page=" + page);
        }
        if (size != SagaDashboard.DEFAULT_PAGE_SIZE) {
            query.add("size=" + size);
        }
        return query.isEmpty() ? list() : list() + "?" + String.join("&", query);
    }

    /** A saga's page. */
    public String saga(String id) {
        return base + "/sagas/" + UriUtils.encodePathSegment(id, StandardCharsets.UTF_8);
    }

    /** A step on a saga's page. */
    public String step(String id, int seq) {
        return saga(id) + "#step-" + seq;
    }

    /** The comparison of two sagas, {@code a} on the left. */
    public String compare(String a, String b) {
        return base + "/compare?a=" + UriUtils.encodeQueryParam(a, StandardCharsets.UTF_8) + "&b="
                + UriUtils.encodeQueryParam(b, StandardCharsets.UTF_8);
    }

    /** An action on a saga. */
    public String action(String id, String action) {
        return saga(id) + "/" + action;
    }

    public String inbox() {
        return base + "/inbox";
    }

    /** A style sheet or script, with a version that changes when its content does. */
    public String asset(String name) {
        return base + "/assets/" + name + "?v=" + assetVersion;
    }

    private static void add(List<String> query, String name, @Nullable String value) {
        if (value != null && !value.isBlank()) {
            query.add(name + "=" + UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8));
        }
    }
}
