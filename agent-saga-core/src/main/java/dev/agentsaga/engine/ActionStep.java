package dev.agentsaga.engine;

import static dev.agentsaga.engine.RunJournal.label;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.StepRecord;

/**
 * The action kind of step ({@link dev.agentsaga.Saga#step}): runs a registered action with its retries
 * and journals its result. An IRREVERSIBLE action journals its intent first, is never retried, and is
 * in doubt when its outcome is unknown; an operator's {@code retryStep()} runs it once more.
 */
final class ActionStep {

    /** The resolution that lets an in-doubt IRREVERSIBLE step run once more. */
    static final String RETRY = "RETRY";

    private static final String RETRIED = "RETRIED";

    private final EngineServices services;

    private final RunJournal run;

    ActionStep(EngineServices services, RunJournal run) {
        this.services = services;
        this.run = run;
    }

    @Nullable Object run(Registry.ActionEntry entry, @Nullable Object input) {
        return run.step(entry.name(), StepKind.ACTION, recorded -> replay(entry, input, recorded),
                n -> execute(entry, input, n));
    }

    private @Nullable Object replay(Registry.ActionEntry entry, @Nullable Object input, StepRecord recorded) {
        if (recorded.status() != StepStatus.STARTED) {
            return run.recorded(recorded, entry.outputType());
        }
        if (!RETRY.equals(recorded.resolution())) {
            throw inDoubt(recorded);
        }
        // from here a crash leaves the step in doubt again, as it is
        StepRecord intent = recorded.finished(StepStatus.STARTED, null, null, recorded.attempts() + 1, null)
                .resolved(RETRIED, recorded.note());
        run.write(intent);
        return runIrreversible(entry, input, intent);
    }

    private @Nullable Object execute(Registry.ActionEntry entry, @Nullable Object input, int n) {
        String inputJson = services.encode(input, () -> "input of " + label(n, entry.name()), run.sagaId(), n);
        StepRecord step = StepRecord.of(run.sagaId(), n, entry.name(), StepKind.ACTION, entry.reversibility(),
                StepStatus.STARTED, inputJson, null, null, 1, services.now(), null);
        if (entry.reversibility() == Reversibility.IRREVERSIBLE) {
            run.write(step);
            return runIrreversible(entry, input, step);
        }
        return run.record(step, run.execute(step, entry.policy(), entry.policy().maxAttempts(), false,
                attempt -> entry.action().execute(input, new StepContext(run.sagaId(), n, attempt, false))));
    }

    /** Runs a journaled intent once: a definite result is recorded, an unknown one leaves it in doubt. */
    private @Nullable Object runIrreversible(Registry.ActionEntry entry, @Nullable Object input, StepRecord intent) {
        int n = intent.seq();
        StepExecutor.Outcome outcome = run.execute(intent, entry.policy(), 1, true,
                attempt -> entry.action().execute(input, new StepContext(run.sagaId(), n, intent.attempts(), false)));
        Throwable failure = outcome.failure();
        if (outcome.ambiguous() && failure != null) {
            run.write(intent.finished(StepStatus.STARTED, null, services.errorJson(failure), intent.attempts(), null));
            throw run.attention(new OutcomeUnknownException(label(n, entry.name()) + " is IRREVERSIBLE and its "
                    + "outcome is unknown (" + failure.getMessage() + "). Find out whether it happened, then resolve "
                    + "the saga: Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()",
                    run.sagaId(), n, failure));
        }
        return run.record(intent, new StepExecutor.Outcome(outcome.value(), failure, intent.attempts(), false));
    }

    private RuntimeException inDoubt(StepRecord intent) {
        String why = intent.error() == null ? "the engine stopped between its intent and its result"
                : "its outcome is unknown (" + services.readError(intent.error())[1] + ")";
        return run.attention(new OutcomeUnknownException(label(intent.seq(), intent.name()) + " is IRREVERSIBLE and "
                + why + ", so it may or may not have happened. Find out, then resolve the saga: "
                + "Resolution.happened(output), Resolution.retryStep() or Resolution.compensate()", run.sagaId(),
                intent.seq(), null));
    }
}
