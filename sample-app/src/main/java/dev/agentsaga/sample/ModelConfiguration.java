package dev.agentsaga.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Which model the agents talk to. {@code sample.model=auto} (the default): the real OpenAI model when
 * {@code OPENAI_API_KEY} is set, the {@link ScriptedModel} otherwise (the trip agent's and the concierge's
 * scripts). {@code sample.model=scripted} or {@code openai} forces one. The OpenAI auto-configuration always
 * starts (it needs a key, so application.properties gives it a dummy one offline); the scripted model is
 * {@code @Primary} over it.
 */
@Configuration(proxyBeanMethods = false)
public class ModelConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

    @Bean
    @Primary
    @Conditional(UseScriptedModel.class)
    ScriptedModel scriptedModel(JdbcClient jdbc) {
        log.warn("{} No OPENAI_API_KEY: the agent talks to a SCRIPTED model that plays a fixed tool-calling "
                + "conversation (set OPENAI_API_KEY, and optionally OPENAI_BASE_URL, for a real model)",
                ScriptedTripModel.LABEL);
        return new ScriptedModel(new ScriptedTripModel(jdbc), new ScriptedConciergeModel(jdbc));
    }

    static boolean scripted(Environment env) {
        String choice = env.getProperty("sample.model", "auto").trim().toLowerCase();
        if (choice.equals("scripted")) {
            return true;
        }
        if (choice.equals("openai")) {
            return false;
        }
        String key = env.getProperty("OPENAI_API_KEY", "");
        return key.isBlank();
    }

    static final class UseScriptedModel implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return scripted(context.getEnvironment());
        }
    }
}
