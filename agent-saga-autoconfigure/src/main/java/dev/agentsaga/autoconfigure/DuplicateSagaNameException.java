package dev.agentsaga.autoconfigure;

import dev.agentsaga.AgentSagaException;

/** Two beans resolve to the same action or workflow name. */
public class DuplicateSagaNameException extends AgentSagaException {

    private final String kind;

    private final String name;

    private final String firstBean;

    private final String secondBean;

    public DuplicateSagaNameException(String kind, String name, String firstBean, String secondBean) {
        super("The " + kind + " beans '" + firstBean + "' and '" + secondBean + "' are both named '" + name + "'");
        this.kind = kind;
        this.name = name;
        this.firstBean = firstBean;
        this.secondBean = secondBean;
    }

    /** {@code action} or {@code workflow}. */
    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public String firstBean() {
        return firstBean;
    }

    public String secondBean() {
        return secondBean;
    }
}
