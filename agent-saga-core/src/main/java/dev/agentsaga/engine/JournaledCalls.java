package dev.agentsaga.engine;

import static dev.agentsaga.engine.RunJournal.label;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentsaga.ActionPolicy;
import dev.agentsaga.DriftException;
import dev.agentsaga.DriftPolicy;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.StepRecord;

/**
 * The steps of a run whose result is recorded once and answered from the journal ever after: calls,
 * journaled calls (a model call, say) and values such as the time. A journaled call whose request
 * drifted since it was recorded is replayed, executed again or handed to an operator, as the drift
 * policy says; the tokens that replay saved are counted.
 */
final class JournaledCalls {

    // logged under SagaContext, the Saga a workflow talks to, where users look for what a run did
    private static final Logger log = LoggerFactory.getLogger(SagaContext.class);

    private final Engine engine;

    private final String sagaId;

    private final RunJournal run;

    private long replayedTokens;

    JournaledCalls(Engine engine, String sagaId, RunJournal run) {
        this.engine = engine;
        this.sagaId = sagaId;
        this.run = run;
    }

    /** {@link dev.agentsaga.Saga#call}, its arguments checked. */
    <T> T call(String name, Class<T> type, Callable<T> work) {
        run.checkNotHalted();
        int n = run.nextSeq();
        StepRecord recorded = run.journaled(n, name, StepKind.CALL);
        if (recorded != null) {
            if (recorded.status() == StepStatus.FAILED) {
                throw run.failure(recorded);
            }
            return engine.decode(recorded.output(), type, () -> "result of " + label(n, name), sagaId, n);
        }
        run.beforeNewStep();
        Instant started = engine.now();
        StepExecutor.Outcome outcome = run.observed(run.event(n, name, StepKind.CALL, null), () -> engine
                .executor().run(() -> label(n, name), ActionPolicy.noRetries(), 1, false, attempt -> work.call(),
                        StepExecutor.RetryListener.NONE));
        return type.cast(run.record(StepRecord.of(sagaId, n, name, StepKind.CALL, null, StepStatus.SUCCEEDED, null,
                null, null, outcome.attempts(), started, null), outcome, true));
    }

    /** {@link dev.agentsaga.Saga#journal}, its argument checked. */
    <T> T journal(JournaledCall<T> call) {
        run.checkNotHalted();
        int n = run.nextSeq();
        StepRecord recorded = run.journaled(n, call.name(), call.kind());
        Map<String, String> fingerprint = new TreeMap<>(call.fingerprint());
        String fingerprintJson = engine.codec().encode(fingerprint);
        if (recorded != null && recorded.status() == StepStatus.FAILED) {
            throw run.failure(recorded);
        }
        if (recorded != null && recorded.status() != StepStatus.STARTED) {
            List<String> changed = changedParts(recorded.fingerprint(), fingerprint);
            DriftPolicy policy = engine.settings().driftPolicy();
            if (changed.isEmpty() || policy == DriftPolicy.REPLAY) {
                if (!changed.isEmpty()) {
                    log.warn("Step {} ({}) of saga {}: the request changed since it was recorded ({}); replaying the "
                            + "recorded response as the drift policy says", n, call.name(), sagaId, changed);
                }
                return replay(call, recorded);
            }
            if (policy == DriftPolicy.REEXECUTE && !run.worldChangedAfter(n)) {
                return executeJournaled(call, n, fingerprintJson, false);
            }
            throw run.attention(new DriftException("Drift in saga " + sagaId + " at step " + n + " (" + call.name()
                    + "): the request changed since it was recorded (" + String.join(", ", changed) + "). The drift "
                    + "policy is " + policy + (policy == DriftPolicy.REEXECUTE ? ", but a COMPENSABLE or IRREVERSIBLE "
                    + "step came after this call" : "") + ": restore the previous request, or resume with the drift "
                    + "policy REPLAY, then retry the saga", sagaId, n));
        }
        run.beforeNewStep();
        return executeJournaled(call, n, fingerprintJson, recorded == null);
    }

    /** A value taken once from {@code source} and answered from the journal ever after. */
    <T> T journaledValue(String name, StepKind kind, Class<T> type, Callable<T> source) {
        run.checkNotHalted();
        int n = run.nextSeq();
        StepRecord recorded = run.journaled(n, name, kind);
        if (recorded != null) {
            return engine.decode(recorded.output(), type, () -> "value of " + label(n, name), sagaId, n);
        }
        run.beforeNewStep();
        Instant now = engine.now();
        T value;
        try {
            value = source.call();
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        run.write(StepRecord.of(sagaId, n, name, kind, null, StepStatus.SUCCEEDED, null,
                engine.encode(value, () -> "value of " + label(n, name), sagaId, n), null, 1, now, now), true);
        return value;
    }

    /** Model tokens answered from the journal in this run, not spent again. */
    long replayedTokens() {
        return replayedTokens;
    }

    private <T> T replay(JournaledCall<T> call, StepRecord recorded) {
        int in = recorded.inputTokens() == null ? 0 : recorded.inputTokens();
        int out = recorded.outputTokens() == null ? 0 : recorded.outputTokens();
        replayedTokens += in + out;
        engine.observer().modelTokens(run.event(recorded.seq(), call.name(), call.kind(), null), in, out, true);
        T value = engine.decode(recorded.output(), call.type(), () -> "result of " + label(recorded.seq(), call.name()),
                sagaId, recorded.seq());
        return value;
    }

    private <T> T executeJournaled(JournaledCall<T> call, int n, String fingerprintJson, boolean insert) {
        Instant started = engine.now();
        SagaObserver.StepEvent event = run.event(n, call.name(), call.kind(), null);
        ActionPolicy policy = engine.settings().defaultPolicy();
        StepExecutor.Outcome outcome = run.observed(event, () -> engine.executor().run(() -> label(n, call.name()),
                policy, policy.maxAttempts(), false, attempt -> call.execute(),
                (attempt, failure) -> engine.observer().stepRetried(event, attempt, failure)));
        StepRecord step = StepRecord.of(sagaId, n, call.name(), call.kind(), null, StepStatus.SUCCEEDED, null, null,
                null, outcome.attempts(), started, null);
        if (!outcome.succeeded()) {
            run.record(step.withCall(fingerprintJson, null, null), outcome, insert);
        }
        T value = call.type().cast(outcome.value());
        int[] tokens = value == null ? null : call.tokens(value);
        Integer in = tokens == null ? null : tokens[0];
        Integer out = tokens == null ? null : tokens[1];
        run.record(step.withCall(fingerprintJson, in, out), outcome, insert);
        engine.observer().modelTokens(event, in == null ? 0 : in, out == null ? 0 : out, false);
        return value;
    }

    /** The parts of the request whose hashes differ from the recorded ones (none when nothing was recorded). */
    private List<String> changedParts(@Nullable String recordedJson, Map<String, String> now) {
        if (recordedJson == null) {
            return List.of();
        }
        Map<?, ?> recorded = engine.codec().decode(recordedJson, Map.class);
        Set<String> parts = new TreeSet<>(now.keySet());
        recorded.keySet().forEach(key -> parts.add(String.valueOf(key)));
        return parts.stream().filter(part -> !Objects.equals(String.valueOf(recorded.get(part)),
                String.valueOf(now.get(part)))).toList();
    }
}
