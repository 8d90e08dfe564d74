package dev.agentsaga.dashboard;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;

/**
 * Actions where Spring Security is not on the class path: allowed to everyone who reaches the page when
 * {@code agent.saga.dashboard.actions-enabled} is true, to no one otherwise.
 */
public final class PropertyOperatorAccess implements OperatorAccess {

    /** Who acts when the request carries no user. */
    static final String ANONYMOUS = "dashboard";

    private final boolean actionsEnabled;

    public PropertyOperatorAccess(boolean actionsEnabled) {
        this.actionsEnabled = actionsEnabled;
    }

    @Override
    public Decision decide(HttpServletRequest request) {
        String user = request.getRemoteUser() == null ? ANONYMOUS : request.getRemoteUser();
        return actionsEnabled ? Decision.allow(user) : Decision.refuse(OperatorAccess.actionsOff(), user);
    }

    @Override
    public @Nullable FormToken formToken(HttpServletRequest request) {
        return null;
    }
}
