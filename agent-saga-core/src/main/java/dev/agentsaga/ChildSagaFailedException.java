package dev.agentsaga;

/**
 * A child saga ({@link Saga#startChild}) ended without an output: it failed and compensated its own steps
 * (COMPENSATED), or had nothing to undo (FAILED). Recorded as the failure of the parent's step that started
 * it, which {@link SagaChild#join()} throws as a {@link StepFailedException}.
 */
public class ChildSagaFailedException extends AgentSagaException {

    private final String childId;

    private final SagaStatus childStatus;

    public ChildSagaFailedException(String message, String sagaId, int step, String childId, SagaStatus childStatus) {
        super(message, sagaId, step, null);
        this.childId = childId;
        this.childStatus = childStatus;
    }

    /** The child saga's id. */
    public String childId() {
        return childId;
    }

    /** The status the child rests in. */
    public SagaStatus childStatus() {
        return childStatus;
    }
}
