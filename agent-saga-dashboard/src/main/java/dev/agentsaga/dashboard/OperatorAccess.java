package dev.agentsaga.dashboard;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;

/**
 * Who may act on sagas from the dashboard: {@link PropertyOperatorAccess} where Spring Security is not
 * on the class path (the property alone decides), {@link SpringSecurityOperatorAccess} where it is (the
 * property, the operator role and CSRF protection). A bean of your own replaces them.
 */
public interface OperatorAccess {

    /** Whether the request may act, and if not, why (shown on the page and in the 403 answer). */
    Decision decide(HttpServletRequest request);

    /** The token a form must send back for the request to be accepted, when the application has one. */
    @Nullable FormToken formToken(HttpServletRequest request);

    /**
     * A decision.
     *
     * @param reason why not, in words that say what to change; empty when allowed
     * @param user who acts, as the journal records it (an approval's {@code by}, a resolution's note)
     */
    record Decision(boolean allowed, String reason, String user) {

        static Decision allow(String user) {
            return new Decision(true, "", user);
        }

        static Decision refuse(String reason, String user) {
            return new Decision(false, reason, user);
        }
    }

    /** A hidden form field that carries a CSRF token. */
    record FormToken(String parameterName, String headerName, String value) {
    }

    /** The refusal when actions are switched off. */
    static String actionsOff() {
        return "Actions are off. Set agent.saga.dashboard.actions-enabled=true to approve, reject, resolve, retry "
                + "and cancel sagas from this page.";
    }
}
