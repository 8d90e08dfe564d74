package dev.agentsaga.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.SagaAction;
import dev.agentsaga.support.SagaNames;

/**
 * The actions and workflows declared as beans, each under its name: {@code name()}, else
 * {@link dev.agentsaga.SagaName @SagaName}, else the bean name.
 */
final class SagaComponents {

    private SagaComponents() {
    }

    /**
     * Registers every action and workflow bean with the builder.
     * @throws DuplicateSagaNameException when two beans of a kind resolve to the same name
     */
    @SuppressWarnings("rawtypes")
    static void register(ListableBeanFactory beans, AgentSaga.Builder builder) {
        Map<String, SagaAction> actions = beans.getBeansOfType(SagaAction.class, false, true);
        named("action", actions).forEach((name, action) -> builder.action(name, action));
        Map<String, AgentWorkflow> workflows = beans.getBeansOfType(AgentWorkflow.class, false, true);
        named("workflow", workflows).forEach((name, workflow) -> builder.workflow(name, workflow));
    }

    private static <T> Map<String, T> named(String kind, Map<String, T> beansByBeanName) {
        Map<String, T> byName = new LinkedHashMap<>();
        Map<String, String> beanNameByName = new LinkedHashMap<>();
        beansByBeanName.forEach((beanName, bean) -> {
            String name = SagaNames.resolve(bean, beanName);
            String clash = beanNameByName.putIfAbsent(name, beanName);
            if (clash != null) {
                throw new DuplicateSagaNameException(kind, name, clash, beanName);
            }
            byName.put(name, bean);
        });
        return byName;
    }
}
