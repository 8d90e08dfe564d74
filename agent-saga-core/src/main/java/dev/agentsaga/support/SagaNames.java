package dev.agentsaga.support;

import java.beans.Introspector;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaName;

/**
 * For the engine and the integrations (not user API): how actions and workflows get their names: their {@code name()} method when it is not blank, else
 * {@link SagaName}, else a fallback (the bean name under Spring, the decapitalised class name otherwise).
 */
public final class SagaNames {

    private SagaNames() {
    }

    /**
     * The declared name of an action or workflow, or {@code fallback} when it declares none.
     * @throws InvalidActionException when there is neither a declared name nor a usable fallback
     */
    public static String resolve(Object component, @Nullable String fallback) {
        Objects.requireNonNull(component, "component must not be null");
        String declared = component instanceof SagaAction<?, ?> action ? action.name()
                : component instanceof AgentWorkflow<?, ?> workflow ? workflow.name() : null;
        if (declared != null && !declared.isBlank()) {
            return declared;
        }
        SagaName annotation = AnnotationUtils.findAnnotation(ClassUtils.getUserClass(component), SagaName.class);
        if (annotation != null && !annotation.value().isBlank()) {
            return annotation.value();
        }
        if (fallback == null || fallback.isBlank()) {
            throw new InvalidActionException("Cannot derive a name for " + component.getClass().getName()
                    + "; register it with an explicit name, annotate it with @SagaName or override name()", null);
        }
        return fallback;
    }

    /** The declared name, or the decapitalised simple class name. */
    public static String resolve(Object component) {
        Class<?> type = ClassUtils.getUserClass(component);
        String simple = type.getSimpleName();
        boolean usable = !simple.isEmpty() && !type.isSynthetic() && !simple.contains("$$");
        return resolve(component, usable ? Introspector.decapitalize(simple) : null);
    }
}
