package dev.agentsaga.spi;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.Saga;

/**
 * Which saga's workflow code runs on the current thread. The engine binds a saga while its workflow's
 * code runs and unbinds it while a step's own work runs (an action, a call, a model call), so that an
 * integration that journals through {@link Saga#current()} (a chat model, a tool-calling manager)
 * journals what the workflow asks for, never what a step does inside.
 */
public final class SagaThreads {

    private static final ThreadLocal<@Nullable Saga> CURRENT = new ThreadLocal<>();

    private SagaThreads() {
    }

    /** The saga whose workflow code runs on this thread, if any. */
    public static Optional<Saga> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Binds {@code saga} (or nothing, when null) to this thread until the returned scope is closed, which
     * binds again what was bound before.
     */
    public static Scope bind(@Nullable Saga saga) {
        Saga previous = CURRENT.get();
        CURRENT.set(saga);
        return () -> CURRENT.set(previous);
    }

    /** A binding, undone by {@link #close()}. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {

        @Override
        void close();
    }
}
