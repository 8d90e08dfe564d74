package dev.agentsaga.test;

/**
 * Unwinds the thread of an engine that the test kit crashed in-process. A {@link VirtualMachineError}:
 * the engine lets such errors pass untouched, as it must when the process is going away, and no
 * workflow that catches exceptions swallows it. By the time it is thrown the engine's database
 * connections are dead, so nothing more of the engine reaches the journal.
 */
public final class SimulatedCrash extends VirtualMachineError {

    private static final long serialVersionUID = 1L;

    SimulatedCrash(String where) {
        super("In-process crash of the test kit " + where);
    }
}
