package dev.agentsaga.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.CRC32;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.autoconfigure.AgentSagaAutoConfiguration;
import dev.agentsaga.autoconfigure.AgentSagaProperties;
import dev.agentsaga.autoconfigure.actuate.PayloadRedactor;
import dev.agentsaga.spi.SagaClock;

/**
 * The dashboard, in a servlet web application with a {@link SagaCoordinator}, once
 * {@code agent.saga.dashboard.enabled} is true: its pages and actions under
 * {@code agent.saga.dashboard.path}, and who may act ({@link OperatorAccess}).
 */
@AutoConfiguration(after = AgentSagaAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(RouterFunction.class)
@ConditionalOnBooleanProperty("agent.saga.dashboard.enabled")
@ConditionalOnBean(SagaCoordinator.class)
@EnableConfigurationProperties({ DashboardProperties.class, AgentSagaProperties.class })
public final class AgentSagaDashboardAutoConfiguration {

    private static final String ASSETS = "agent-saga-dashboard/assets/";

    @Bean
    @ConditionalOnMissingBean
    SagaDashboard sagaDashboard(SagaCoordinator coordinator, AgentSagaProperties properties,
            ObjectProvider<SagaClock> clock) {
        SagaClock time = clock.getIfAvailable(SagaClock::system);
        return new SagaDashboard(coordinator, new PayloadRedactor(properties.getEndpoint().getRedact()), time::now);
    }

    @Bean
    @ConditionalOnMissingBean(name = "agentSagaDashboardRoutes")
    RouterFunction<ServerResponse> agentSagaDashboardRoutes(SagaDashboard dashboard, SagaCoordinator coordinator,
            OperatorAccess access, DashboardProperties properties, ObjectProvider<SagaClock> clock) {
        SagaClock time = clock.getIfAvailable(SagaClock::system);
        DashboardPages pages = new DashboardPages(dashboard, new DashboardTemplates(), access, properties,
                new Formats(time::now), assetVersion());
        DashboardActions actions = new DashboardActions(coordinator, dashboard, access, pages);
        String base = properties.basePath();
        return RouterFunctions.route()
                .GET(base.isEmpty() ? "/" : base, pages::list)
                .GET(base + "/", pages::list)
                .GET(base + "/inbox", pages::inbox)
                .GET(base + "/sagas/{id}", pages::saga)
                .GET(base + "/compare", pages::compare)
                .POST(base + "/sagas/{id}/{action}", actions::act)
                .add(RouterFunctions.resources(base + "/assets/**", new ClassPathResource(ASSETS),
                        (resource, headers) -> headers.setCacheControl("max-age=86400")))
                .build();
    }

    /** Without Spring Security: the property alone opens actions. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("org.springframework.security.web.csrf.CsrfToken")
    static class PropertyAccessConfiguration {

        @Bean
        @ConditionalOnMissingBean
        OperatorAccess operatorAccess(DashboardProperties properties) {
            return new PropertyOperatorAccess(properties.isActionsEnabled());
        }
    }

    /** With Spring Security: the property, the operator role and CSRF protection. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.security.web.csrf.CsrfToken")
    static class SpringSecurityAccessConfiguration {

        @Bean
        @ConditionalOnMissingBean
        OperatorAccess operatorAccess(DashboardProperties properties) {
            return new SpringSecurityOperatorAccess(properties.isActionsEnabled(), properties.getOperatorRole(),
                    properties.basePath());
        }
    }

    /** A short hash of the style sheet and the script, so that browsers fetch them again when they change. */
    private static String assetVersion() {
        CRC32 crc = new CRC32();
        for (String name : new String[] { "dashboard.css", "dashboard.js" }) {
            try (InputStream in = new ClassPathResource(ASSETS + name).getInputStream()) {
                crc.update(in.readAllBytes());
            }
            catch (IOException ex) {
                throw new UncheckedIOException("The dashboard's " + name + " is missing from its jar", ex);
            }
        }
        return Long.toHexString(crc.getValue());
    }
}
