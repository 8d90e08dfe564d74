package dev.agentsaga;

/**
 * A saga id given to {@link SagaCoordinator#start(String, Object, String)} that cannot be one: null, blank, or
 * longer than {@value #MAX_LENGTH} characters. Nothing was recorded.
 */
public class InvalidSagaIdException extends AgentSagaException {

    /** The longest saga id, in characters (the width of the id columns). */
    public static final int MAX_LENGTH = 200;

    public InvalidSagaIdException(String message) {
        super(message, null, null, null);
    }
}
