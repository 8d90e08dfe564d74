package dev.agentsaga.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;

/** When {@link AgentSagaProblemDetailsAutoConfiguration} contributes its exception handler: one condition per test. */
class AgentSagaProblemDetailsAutoConfigurationTest {

    private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AgentSagaProblemDetailsAutoConfiguration.class));

    @Test
    void contributesTheHandlerToAServletWebApplication() {
        contextRunner.run(context -> assertThat(context).hasSingleBean(AgentSagaProblemDetailsExceptionHandler.class));
    }

    @Test
    void leavesTheHandlerOutWhenItIsSwitchedOff() {
        contextRunner.withPropertyValues("agent.saga.web.problem-details.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(AgentSagaProblemDetailsExceptionHandler.class));
    }

    @Test
    void leavesTheHandlerOutOfANonWebApplication() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AgentSagaProblemDetailsAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(AgentSagaProblemDetailsExceptionHandler.class));
    }

    @Test
    void leavesTheHandlerOutOfAReactiveWebApplication() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AgentSagaProblemDetailsAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(AgentSagaProblemDetailsExceptionHandler.class));
    }

    @Test
    void leavesTheHandlerOutWithoutSpringMvc() {
        contextRunner.withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
                .run(context -> assertThat(context).doesNotHaveBean(AgentSagaProblemDetailsExceptionHandler.class));
    }

    @Test
    void backsOffWhenTheApplicationDeclaresTheHandlerItself() {
        contextRunner.withUserConfiguration(OwnHandler.class).run(context -> {
            assertThat(context).hasSingleBean(AgentSagaProblemDetailsExceptionHandler.class);
            assertThat(context).hasBean("ownHandler");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnHandler {

        @Bean
        AgentSagaProblemDetailsExceptionHandler ownHandler() {
            return new AgentSagaProblemDetailsExceptionHandler();
        }
    }
}
