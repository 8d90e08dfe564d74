package dev.agentsaga.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.DriftException;
import dev.agentsaga.DriftPolicy;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.StepRecord;

/**
 * The journaled-call kind of step ({@link dev.agentsaga.Saga#journal}), a model call for the Spring AI
 * integration: recorded with the fingerprint of its request and the tokens it took. A request whose
 * fingerprint drifted since it was recorded is replayed, executed again or handed to an operator, as the
 * drift policy says.
 */
final class JournaledCallStep {

    // logged under SagaContext, the Saga a workflow talks to, where users look for what a run did
    private static final Logger log = LoggerFactory.getLogger(SagaContext.class);

    private final EngineServices services;

    private final RunJournal run;

    JournaledCallStep(EngineServices services, RunJournal run) {
        this.services = services;
        this.run = run;
    }

    <T> @Nullable T run(JournaledCall<T> call) {
        return run.step(call.name(), call.kind(), recorded -> {
            JournaledCall<T> made = run.asMadeAt(call, recorded.seq());
            return replay(made, new TreeMap<>(made.fingerprint()), recorded);
        }, n -> {
            JournaledCall<T> made = run.asMadeAt(call, n);
            return execute(made, new TreeMap<>(made.fingerprint()), n);
        });
    }

    private <T> @Nullable T replay(JournaledCall<T> call, Map<String, String> fingerprint, StepRecord recorded) {
        if (recorded.status() == StepStatus.FAILED) {
            throw run.failure(recorded);
        }
        int n = recorded.seq();
        List<String> changed = changedParts(recorded.fingerprint(), fingerprint);
        DriftPolicy policy = services.settings().driftPolicy();
        if (recorded.status() != StepStatus.STARTED && (changed.isEmpty() || policy == DriftPolicy.REPLAY)) {
            if (!changed.isEmpty()) {
                log.warn("Step {} ({}) of saga {}: the request changed since it was recorded ({}); replaying the "
                        + "recorded response as the drift policy says", n, call.name(), run.sagaId(), changed);
            }
            run.replayedTokens(recorded);
            return run.recorded(recorded, call.type());
        }
        if (recorded.status() == StepStatus.STARTED
                || policy == DriftPolicy.REEXECUTE && !run.worldChangedAfter(n)) {
            return execute(call, fingerprint, n);
        }
        throw run.attention(new DriftException("Drift in saga " + run.sagaId() + " at step " + n + " ("
                + call.name() + "): the request changed since it was recorded (" + String.join(", ", changed)
                + "). The drift policy is " + policy + (policy == DriftPolicy.REEXECUTE ? ", but a COMPENSABLE or "
                + "IRREVERSIBLE step came after this call" : "") + ": restore the previous request, or resume with "
                + "the drift policy REPLAY, then retry the saga", run.sagaId(), n));
    }

    private <T> @Nullable T execute(JournaledCall<T> call, Map<String, String> fingerprint, int n) {
        StepRecord step = StepRecord.of(run.sagaId(), n, call.name(), call.kind(), null, StepStatus.STARTED, null,
                null, null, 1, services.now(), null).withCall(services.codec().encode(fingerprint), null, null);
        ActionPolicy policy = services.settings().defaultPolicy();
        StepExecutor.Outcome outcome = run.execute(step, policy, policy.maxAttempts(), false, attempt -> call.execute());
        T value = call.type().cast(outcome.value());
        int[] tokens = value == null ? null : call.tokens(value);
        if (tokens != null) {
            step = step.withCall(step.fingerprint(), tokens[0], tokens[1]);
        }
        run.record(step, outcome);
        run.spentTokens(step, tokens == null ? 0 : tokens[0], tokens == null ? 0 : tokens[1]);
        return value;
    }

    /** The parts of the request whose hashes differ from the recorded ones (none when nothing was recorded). */
    private List<String> changedParts(@Nullable String recordedJson, Map<String, String> now) {
        if (recordedJson == null) {
            return List.of();
        }
        Map<?, ?> recorded = Objects.requireNonNull(services.codec().decode(recordedJson, Map.class),
                "the recorded fingerprint must not be JSON null");
        Set<String> parts = new TreeSet<>(now.keySet());
        recorded.keySet().forEach(key -> parts.add(String.valueOf(key)));
        return parts.stream().filter(part -> !Objects.equals(String.valueOf(recorded.get(part)),
                String.valueOf(now.get(part)))).toList();
    }
}
