package dev.agentsaga.autoconfigure.ai;

import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaChatModel;
import dev.agentsaga.ai.SagaModelCallAdvisor;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.autoconfigure.SagaEngineCustomizer;

/**
 * Durable agents written the Spring AI way: the model calls of {@code ChatClient}s built from Spring AI's
 * auto-configured builder are journaled inside sagas (an advisor, {@link SagaModelCallAdvisor}), the
 * {@code ToolCallingManager} runs the tool calls of {@code ChatClient} agents as saga
 * steps, and every tool of its beans (@Tool methods, tool callbacks, MCP servers' tools) is registered
 * with the engine as an action, with what it does to the world declared. A tool without a declaration
 * fails the start-up; an MCP tool without one takes its server's {@code readOnlyHint}.
 */
@AutoConfiguration
@ConditionalOnClass({ ChatModel.class, SagaChatModel.class })
@ConditionalOnBooleanProperty(name = "agent.saga.agent.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ SagaToolsProperties.class, SagaAgentProperties.class, SagaMcpProperties.class })
public final class AgentSagaSpringAiAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SagaTools agentSagaTools(ListableBeanFactory beans, SagaToolsProperties properties, SagaMcpProperties mcp) {
        SagaTools tools = DeclaredTools.scan(beans, properties, mcp);
        if (!tools.undeclared().isEmpty()) {
            throw new UndeclaredToolsException(tools.undeclared());
        }
        return tools;
    }

    @Bean
    @ConditionalOnMissingBean
    AgentLimits agentSagaLimits(SagaAgentProperties properties) {
        return properties.limits();
    }

    @Bean
    SagaEngineCustomizer agentSagaToolActions(SagaTools tools) {
        return tools::register;
    }

    /** Makes the model calls of ChatClients built from Spring AI's auto-configured builder durable inside sagas. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ChatClientCustomizer.class)
    static class ChatClientConfiguration {

        @Bean
        ChatClientCustomizer agentSagaDurableChatClient(AgentLimits limits) {
            return builder -> builder.defaultAdvisors(new SagaModelCallAdvisor(limits));
        }
    }

    @Bean
    static DurableSpringAi agentSagaDurableSpringAi(ObjectProvider<SagaTools> tools,
            ObjectProvider<AgentLimits> limits) {
        return new DurableSpringAi(tools, limits);
    }
}
