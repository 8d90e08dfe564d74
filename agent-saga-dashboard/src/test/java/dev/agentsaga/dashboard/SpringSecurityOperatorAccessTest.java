package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * The dashboard's own lock on actions where Spring Security is on the class path, apart from any filter
 * chain (its Spring Security side is in {@link SecurityContexts}).
 */
@Tag("spring-security")
class SpringSecurityOperatorAccessTest {

    private final SpringSecurityOperatorAccess access = new SpringSecurityOperatorAccess(true, "SAGA_OPERATOR",
            "/agent-saga");

    @AfterEach
    void signOut() {
        SecurityContexts.signOut();
    }

    @Test
    void anOperatorActsOnARequestWithACsrfToken() {
        SecurityContexts.signIn("olivia", "ROLE_SAGA_OPERATOR");

        OperatorAccess.Decision decision = access.decide(SecurityContexts.withCsrfToken());

        assertThat(decision).isEqualTo(new OperatorAccess.Decision(true, "", "olivia"));
        assertThat(access.formToken(SecurityContexts.withCsrfToken()))
                .isEqualTo(new OperatorAccess.FormToken("_csrf", "X-CSRF-TOKEN", "token-1"));
    }

    @Test
    void aUserWithoutTheRoleDoesNot() {
        SecurityContexts.signIn("victor", "ROLE_SAGA_VIEWER");

        OperatorAccess.Decision decision = access.decide(SecurityContexts.withCsrfToken());

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).isEqualTo("Actions need the role SAGA_OPERATOR "
                + "(agent.saga.dashboard.operator-role); victor does not have it.");
    }

    @Test
    void nobodyActsWithoutSigningIn() {
        SecurityContexts.anonymous();

        assertThat(access.decide(SecurityContexts.withCsrfToken()).reason()).startsWith("Actions need a signed-in user");
    }

    @Test
    void nobodyActsWhereCsrfProtectionIsOff() {
        SecurityContexts.signIn("olivia", "ROLE_SAGA_OPERATOR");

        OperatorAccess.Decision decision = access.decide(new MockHttpServletRequest("POST", "/agent-saga/sagas/1/retry"));

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains("CSRF protection");
    }

    @Test
    void nobodyActsWhileActionsAreOff() {
        SecurityContexts.signIn("olivia", "ROLE_SAGA_OPERATOR");

        OperatorAccess.Decision decision = new SpringSecurityOperatorAccess(false, "SAGA_OPERATOR", "/agent-saga")
                .decide(SecurityContexts.withCsrfToken());

        assertThat(decision.reason()).contains("agent.saga.dashboard.actions-enabled=true");
    }

    @Test
    void theRoleMayBeConfiguredWithItsPrefix() {
        SecurityContexts.signIn("olivia", "ROLE_SAGA_OPERATOR");

        assertThat(new SpringSecurityOperatorAccess(true, "ROLE_SAGA_OPERATOR", "/agent-saga").decide(SecurityContexts.withCsrfToken())
                .allowed()).isTrue();
    }
}
