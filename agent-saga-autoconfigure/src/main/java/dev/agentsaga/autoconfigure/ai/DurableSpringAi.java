package dev.agentsaga.autoconfigure.ai;

import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;

/**
 * Wraps the application's {@link ToolCallingManager} bean (the one Spring AI's tool-calling advisor uses)
 * in a {@link SagaToolCallingManager}: inside a saga, a ChatClient's tool calls run as journaled steps;
 * outside one, as before.
 */
final class DurableSpringAi implements BeanPostProcessor {

    private final ObjectProvider<SagaTools> tools;

    private final ObjectProvider<AgentLimits> limits;

    DurableSpringAi(ObjectProvider<SagaTools> tools, ObjectProvider<AgentLimits> limits) {
        this.tools = tools;
        this.limits = limits;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof ToolCallingManager manager && !(bean instanceof SagaToolCallingManager)) {
            // the tools are looked up at the first tool call: scanning the beans for them now would ask for beans
            // that are still being created, such as an agent with tools of its own that needs this manager
            return new SagaToolCallingManager(manager, () -> tools.getObject(), limits.getObject());
        }
        return bean;
    }
}
