package dev.agentsaga.autoconfigure.ai;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.util.ReflectionUtils;

import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaChatModel;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.SagaToolCallingManager;

/**
 * Makes the application's {@link ChatModel} and {@link ToolCallingManager} beans durable inside sagas,
 * keeping their types: a chat model is proxied (as its own class, where it is not final), its
 * {@code ChatModel} methods answered by a {@link SagaChatModel} around it; a tool-calling manager is
 * wrapped in a {@link SagaToolCallingManager}. Outside a saga both behave as before.
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
        if (bean instanceof ChatModel model && !(bean instanceof SagaChatModel)) {
            return durable(model);
        }
        if (bean instanceof ToolCallingManager manager && !(bean instanceof SagaToolCallingManager)) {
            // the tools are looked up at the first tool call: scanning the beans for them now would ask for beans
            // that are still being created, such as an agent with tools of its own that needs this manager
            return new SagaToolCallingManager(manager, () -> tools.getObject(), limits.getObject());
        }
        return bean;
    }

    private Object durable(ChatModel model) {
        SagaChatModel durable = SagaChatModel.wrap(model, limits.getObject());
        ProxyFactory proxy = new ProxyFactory(model);
        proxy.setProxyTargetClass(!Modifier.isFinal(model.getClass().getModifiers()));
        proxy.addInterface(ChatModel.class);
        proxy.addAdvice((MethodInterceptor) invocation -> {
            Method method = invocation.getMethod();
            Method chatModelMethod = method.getDeclaringClass() == Object.class ? null
                    : ReflectionUtils.findMethod(ChatModel.class, method.getName(), method.getParameterTypes());
            if (chatModelMethod != null) {
                // ChatModel's own methods, default ones included, go through the durable model
                return ReflectionUtils.invokeMethod(chatModelMethod, durable, invocation.getArguments());
            }
            return invocation.proceed();
        });
        return proxy.getProxy(model.getClass().getClassLoader());
    }
}
