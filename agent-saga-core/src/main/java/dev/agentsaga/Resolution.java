package dev.agentsaga;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * An operator's decision about an in-doubt IRREVERSIBLE step of a saga in NEEDS_ATTENTION.
 *
 * @param outcome what the operator found out
 * @param output the step's output when it happened (encoded like any output), else null
 * @param note who decided and why, kept in the journal
 */
public record Resolution(Outcome outcome, @Nullable Object output, String note) {

    /** What happened to the in-doubt step. */
    public enum Outcome {
        /** It happened: record {@code output} as its result and continue the workflow. */
        HAPPENED,
        /** It did not happen: run it again (its only attempt). */
        RETRY,
        /** It did not happen: record it as failed; the workflow sees the failure and normally compensates. */
        COMPENSATE
    }

    public Resolution {
        Objects.requireNonNull(outcome, "outcome must not be null");
        note = note == null ? "" : note;
    }

    /** The step happened, with this output; the saga continues. */
    public static Resolution happened(@Nullable Object output) {
        return new Resolution(Outcome.HAPPENED, output, "");
    }

    /** The step did not happen; run it again. */
    public static Resolution retryStep() {
        return new Resolution(Outcome.RETRY, null, "");
    }

    /** The step did not happen; fail it so the saga compensates what is done. */
    public static Resolution compensate() {
        return new Resolution(Outcome.COMPENSATE, null, "");
    }

    /** The same decision with who took it and why. */
    public Resolution withNote(String note) {
        return new Resolution(outcome, output, note);
    }
}
