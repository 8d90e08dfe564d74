package dev.agentsaga.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Configuration of the agent-saga dashboard. */
@ConfigurationProperties("agent.saga.dashboard")
public class DashboardProperties {

    /** Whether to serve the dashboard. */
    private boolean enabled = false;

    /** Where the dashboard is served. */
    private String path = "/agent-saga";

    /** Whether the dashboard offers and accepts actions: retry, cancel, resolve, approve and reject. */
    private boolean actionsEnabled = false;

    /** The role a user needs for actions when Spring Security is on the class path. */
    private String operatorRole = "SAGA_OPERATOR";

    /** How often an open page refreshes itself; 0 switches live refresh off. */
    private Duration refreshInterval = Duration.ofSeconds(2);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public boolean isActionsEnabled() {
        return actionsEnabled;
    }

    public void setActionsEnabled(boolean actionsEnabled) {
        this.actionsEnabled = actionsEnabled;
    }

    public String getOperatorRole() {
        return operatorRole;
    }

    public void setOperatorRole(String operatorRole) {
        this.operatorRole = operatorRole;
    }

    public Duration getRefreshInterval() {
        return refreshInterval;
    }

    public void setRefreshInterval(Duration refreshInterval) {
        this.refreshInterval = refreshInterval;
    }

    /** The path without a trailing slash, starting with one ({@code ""} for the root). */
    String basePath() {
        String trimmed = path.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() || trimmed.startsWith("/") ? trimmed : "/" + trimmed;
    }
}
