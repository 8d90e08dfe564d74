package dev.agentsaga.dashboard;

import java.util.List;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.DefaultCsrfToken;

/**
 * Spring Security's side of {@link SpringSecurityOperatorAccessTest}, kept out of the test class: a test
 * class whose own code names Spring Security's types cannot even be looked at by JUnit where Spring
 * Security is not on the class path (the module's default Surefire execution), and this one is only
 * loaded when a test runs.
 */
final class SecurityContexts {

    private SecurityContexts() {
    }

    static void signIn(String user, String... authorities) {
        SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user,
                "n/a", List.copyOf(AuthorityUtils.createAuthorityList(authorities))));
    }

    static void anonymous() {
        SecurityContextHolder.getContext().setAuthentication(new AnonymousAuthenticationToken("key", "anonymousUser",
                AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
    }

    static void signOut() {
        SecurityContextHolder.clearContext();
    }

    /** A request that went through Spring Security's CSRF protection: it carries a {@link CsrfToken}. */
    static MockHttpServletRequest withCsrfToken() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/agent-saga/sagas/1/retry");
        request.setAttribute(CsrfToken.class.getName(), new DefaultCsrfToken("X-CSRF-TOKEN", "_csrf", "token-1"));
        return request;
    }
}
