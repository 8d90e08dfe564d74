package dev.agentsaga.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a start-up that failed because two actions or workflows share a name. */
public class DuplicateSagaNameFailureAnalyzer extends AbstractFailureAnalyzer<DuplicateSagaNameException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DuplicateSagaNameException cause) {
        String description = "agent-saga found two " + cause.kind() + "s named '" + cause.name() + "': the beans '"
                + cause.firstBean() + "' and '" + cause.secondBean() + "'. The journal records steps and sagas by "
                + "this name, so it must be unique.";
        String action = "Give one of them another name: rename the bean, annotate its class with "
                + "@SagaName(\"...\"), or override its name() method. Renaming a " + cause.kind()
                + " that unfinished sagas already use leaves them unable to resume: keep the old name for that bean.";
        return new FailureAnalysis(description, action, cause);
    }
}
