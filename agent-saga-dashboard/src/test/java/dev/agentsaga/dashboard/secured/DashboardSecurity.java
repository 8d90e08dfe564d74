package dev.agentsaga.dashboard.secured;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The travel desk behind Spring Security: viewers and operators sign in, CSRF protection on. The chain
 * lets every signed-in user post, so that the dashboard's own check of the operator role is what keeps a
 * viewer from acting.
 */
@Configuration(proxyBeanMethods = false)
public class DashboardSecurity {

    public static final String OPERATOR = "olivia";

    public static final String VIEWER = "victor";

    public static final String PASSWORD = "correct horse battery staple";

    @Bean
    SecurityFilterChain dashboard(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests.anyRequest().hasAnyRole("SAGA_VIEWER", "SAGA_OPERATOR"))
                .formLogin(Customizer.withDefaults());
        return http.build();
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername(OPERATOR).password("{noop}" + PASSWORD).roles("SAGA_OPERATOR").build(),
                User.withUsername(VIEWER).password("{noop}" + PASSWORD).roles("SAGA_VIEWER").build());
    }
}
