package dev.agentsaga.dashboard.secured;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The travel desk behind Spring Security with the minimal secure setup of docs/dashboard.md: everyone
 * signs in, viewers only look, operators act, CSRF protection on.
 */
@Configuration(proxyBeanMethods = false)
public class DashboardSecurity {

    public static final String OPERATOR = "olivia";

    public static final String VIEWER = "victor";

    public static final String PASSWORD = "correct horse battery staple";

    @Bean
    SecurityFilterChain dashboard(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                .requestMatchers(HttpMethod.POST, "/agent-saga/**").hasRole("SAGA_OPERATOR")
                .requestMatchers("/agent-saga/**").hasAnyRole("SAGA_VIEWER", "SAGA_OPERATOR")
                .anyRequest().authenticated())
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
