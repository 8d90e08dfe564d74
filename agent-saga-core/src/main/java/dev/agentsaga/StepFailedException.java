package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link Saga#step} and {@link Saga#call} when the step failed after its retries. The same
 * exception, with the recorded type and message, is thrown again on replay without running the step.
 */
public class StepFailedException extends AgentSagaException {

    private final String stepName;

    private final String errorType;

    public StepFailedException(String sagaId, int step, String stepName, String errorType, String errorMessage,
            @Nullable Throwable cause) {
        super("Step " + step + " (" + stepName + ") of saga " + sagaId + " failed: " + errorType + ": " + errorMessage,
                sagaId, step, cause);
        this.stepName = stepName;
        this.errorType = errorType;
    }

    /** The action or call name of the failed step. */
    public String stepName() {
        return stepName;
    }

    /** The class name of the exception the step threw. */
    public String errorType() {
        return errorType;
    }
}
