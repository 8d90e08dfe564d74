package dev.agentsaga;

/** What a journaled model call does on replay when its request differs from the recorded one. */
public enum DriftPolicy {
    /** Stop the saga as NEEDS_ATTENTION with an error naming the step and what changed. */
    FAIL,
    /** Use the recorded response, and log that the request changed. */
    REPLAY,
    /**
     * Call the model again and record the new response, only when no COMPENSABLE or IRREVERSIBLE step
     * came after the call (otherwise as FAIL).
     */
    REEXECUTE
}
