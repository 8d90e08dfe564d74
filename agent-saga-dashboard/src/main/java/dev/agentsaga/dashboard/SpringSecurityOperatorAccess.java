package dev.agentsaga.dashboard;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;

/**
 * Actions where Spring Security is on the class path: they need
 * {@code agent.saga.dashboard.actions-enabled}, a signed-in user with the operator role (the authority
 * {@code ROLE_<role>}, as {@code hasRole} checks it), and a request that went through Spring Security's
 * CSRF protection (a {@link CsrfToken} request attribute; its {@code CsrfFilter} checks the token the
 * page echoes in every form).
 */
public final class SpringSecurityOperatorAccess implements OperatorAccess {

    private final boolean actionsEnabled;

    private final String role;

    private final String authority;

    private final String path;

    public SpringSecurityOperatorAccess(boolean actionsEnabled, String role, String path) {
        this.actionsEnabled = actionsEnabled;
        this.role = role.startsWith("ROLE_") ? role.substring("ROLE_".length()) : role;
        this.authority = "ROLE_" + this.role;
        this.path = path;
    }

    @Override
    public Decision decide(HttpServletRequest request) {
        Authentication user = signedIn(SecurityContextHolder.getContext().getAuthentication());
        String name = user == null ? PropertyOperatorAccess.ANONYMOUS : user.getName();
        if (!actionsEnabled) {
            return Decision.refuse(OperatorAccess.actionsOff(), name);
        }
        if (user == null) {
            return Decision.refuse("Actions need a signed-in user with the role " + role + ".", name);
        }
        if (user.getAuthorities().stream().map(GrantedAuthority::getAuthority).noneMatch(authority::equals)) {
            return Decision.refuse("Actions need the role " + role + " (agent.saga.dashboard.operator-role); "
                    + name + " does not have it.", name);
        }
        if (request.getAttribute(CsrfToken.class.getName()) == null) {
            return Decision.refuse("Actions need Spring Security's CSRF protection, which is switched off for "
                    + path + ".", name);
        }
        return Decision.allow(name);
    }

    /** The user, when one signed in (not anonymous). */
    private static @Nullable Authentication signedIn(@Nullable Authentication user) {
        return user != null && user.isAuthenticated() && !(user instanceof AnonymousAuthenticationToken) ? user : null;
    }

    @Override
    public @Nullable FormToken formToken(HttpServletRequest request) {
        CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        return token == null ? null : new FormToken(token.getParameterName(), token.getHeaderName(), token.getToken());
    }
}
