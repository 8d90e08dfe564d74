package dev.agentsaga;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name under which a {@link SagaAction} or {@link AgentWorkflow} is registered and journaled, when
 * neither its {@code name()} method nor an explicit registration gives one. Without it the name is the
 * Spring bean name, or the decapitalised simple class name in plain Java.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SagaName {

    /** The name; not blank. */
    String value();
}
