package dev.agentsaga.autoconfigure;

import dev.agentsaga.AgentSaga;

/**
 * Customizes the engine's builder before the engine is built; beans of this type are applied in their
 * {@link org.springframework.core.annotation.Order order}.
 */
@FunctionalInterface
public interface SagaEngineCustomizer {

    /** Customizes the builder, after the properties, actions and workflows were applied. */
    void customize(AgentSaga.Builder builder);
}
