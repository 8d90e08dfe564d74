package dev.agentsaga.autoconfigure.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * In a Spring MVC application, answers agent-saga's exceptions thrown from controllers as RFC 9457
 * problem details ({@link AgentSagaProblemDetailsExceptionHandler}); off with
 * {@code agent.saga.web.problem-details.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBooleanProperty(name = "agent.saga.web.problem-details.enabled", matchIfMissing = true)
public final class AgentSagaProblemDetailsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AgentSagaProblemDetailsExceptionHandler agentSagaProblemDetailsExceptionHandler() {
        return new AgentSagaProblemDetailsExceptionHandler();
    }
}
