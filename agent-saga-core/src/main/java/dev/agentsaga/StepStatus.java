package dev.agentsaga;

/** Where a journaled step is in its life. */
public enum StepStatus {
    /** The intent of an IRREVERSIBLE step, or a wait in progress; the outcome is not yet recorded. */
    STARTED,
    SUCCEEDED,
    FAILED,
    COMPENSATING,
    COMPENSATED,
    COMPENSATION_FAILED
}
