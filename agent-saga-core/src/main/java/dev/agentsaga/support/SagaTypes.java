package dev.agentsaga.support;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.SagaAction;

/**
 * For the engine and the integrations (not user API): the input and output types of actions and workflows, resolved from their generic signatures through
 * any base classes ({@code class BookRoom extends BookingAction<HotelBooking>}), so that the journal can
 * read their payloads back.
 */
public final class SagaTypes {

    private SagaTypes() {
    }

    /** The action's input type, or null when its signature does not tell it (a lambda, a raw type). */
    public static @Nullable Type inputOf(SagaAction<?, ?> action) {
        return resolved(ResolvableType.forClass(action.getClass()).as(SagaAction.class).getGeneric(0));
    }

    /** The action's output type, or null when its signature does not tell it. */
    public static @Nullable Type outputOf(SagaAction<?, ?> action) {
        return resolved(ResolvableType.forClass(action.getClass()).as(SagaAction.class).getGeneric(1));
    }

    /** The workflow's input type, or null when its signature does not tell it. */
    public static @Nullable Type inputOf(AgentWorkflow<?, ?> workflow) {
        return resolved(ResolvableType.forClass(workflow.getClass()).as(AgentWorkflow.class).getGeneric(0));
    }

    /** The workflow's output type, or null when its signature does not tell it. */
    public static @Nullable Type outputOf(AgentWorkflow<?, ?> workflow) {
        return resolved(ResolvableType.forClass(workflow.getClass()).as(AgentWorkflow.class).getGeneric(1));
    }

    /** A fully resolved {@link Type}: type variables replaced by what they are bound to, at any depth. */
    static @Nullable Type resolved(ResolvableType type) {
        Class<?> raw = type.resolve();
        if (raw == null) {
            return null;
        }
        if (!type.hasGenerics() || type.isArray()) {
            return raw;
        }
        Type[] arguments = new Type[type.getGenerics().length];
        for (int i = 0; i < arguments.length; i++) {
            Type argument = resolved(type.getGeneric(i));
            if (argument == null) {
                return null;
            }
            arguments[i] = argument;
        }
        return new Parameterized(raw, arguments);
    }

    private record Parameterized(Class<?> raw, Type[] arguments) implements ParameterizedType {

        @Override
        public Type[] getActualTypeArguments() {
            return arguments.clone();
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public @Nullable Type getOwnerType() {
            return raw.getDeclaringClass();
        }

        @Override
        public boolean equals(@Nullable Object other) {
            return other instanceof ParameterizedType that && raw.equals(that.getRawType())
                    && Arrays.equals(arguments, that.getActualTypeArguments())
                    && Objects.equals(getOwnerType(), that.getOwnerType());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(arguments) ^ raw.hashCode() ^ Objects.hashCode(getOwnerType());
        }

        @Override
        public String getTypeName() {
            return raw.getTypeName() + "<" + String.join(", ", Arrays.stream(arguments).map(Type::getTypeName)
                    .toList()) + ">";
        }
    }
}
