package dev.agentsaga.dashboard;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a browser test class, with the reason, where Chromium or ChromeDriver is missing: the class is
 * disabled before it starts anything, and each of its tests is reported as skipped (never as passed).
 */
final class RequiresBrowser implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = Browser.missing();
        return missing == null ? ConditionEvaluationResult.enabled("Chromium and ChromeDriver are installed")
                : ConditionEvaluationResult.disabled(missing);
    }
}
