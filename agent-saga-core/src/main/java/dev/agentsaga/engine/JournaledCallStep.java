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
import dev.agentsaga.spi.RateReservation;
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

    private final ModelRateLimits rateLimits;

    JournaledCallStep(EngineServices services, RunJournal run) {
        this.services = services;
        this.run = run;
        this.rateLimits = new ModelRateLimits(services.settings().rateLimits());
    }

    <T> @Nullable T run(JournaledCall<T> call) {
        return run.step(call.name(), call.kind(), recorded -> {
            JournaledCall<T> made = run.asMadeAt(call, recorded.seq());
            return replay(made, new TreeMap<>(made.fingerprint()), recorded);
        }, n -> {
            JournaledCall<T> made = run.asMadeAt(call, n);
            return execute(made, new TreeMap<>(made.fingerprint()), n, null);
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
        if (recorded.status() == StepStatus.STARTED) {
            // a call throttled by its rate limit: it is asked for again at its own sequence
            return execute(call, fingerprint, n, recorded);
        }
        if (policy == DriftPolicy.REEXECUTE && !run.worldChangedAfter(n)) {
            return execute(call, fingerprint, n, null);
        }
        throw run.attention(new DriftException("Drift in saga " + run.sagaId() + " at step " + n + " ("
                + call.name() + "): the request changed since it was recorded (" + String.join(", ", changed)
                + "). The drift policy is " + policy + (policy == DriftPolicy.REEXECUTE ? ", but a COMPENSABLE or "
                + "IRREVERSIBLE step came after this call" : "") + ": restore the previous request, or resume with "
                + "the drift policy REPLAY, then retry the saga", run.sagaId(), n));
    }

    /**
     * Makes the call at {@code n}, once its rate limit allows it: else its entry is journaled STARTED with a note
     * and the saga parks until the next window. {@code throttled} is the entry of a call throttled before (its
     * start and note are kept), or null.
     */
    private <T> @Nullable T execute(JournaledCall<T> call, Map<String, String> fingerprint, int n,
            @Nullable StepRecord throttled) {
        String fingerprintJson = services.codec().encode(fingerprint);
        StepRecord step = (throttled != null ? throttled : StepRecord.of(run.sagaId(), n, call.name(), call.kind(),
                null, StepStatus.STARTED, null, null, null, 1, services.now(), null))
                .withCall(fingerprintJson, null, null);
        ModelRateLimits.Decision decision = run.read(() -> rateLimits.reserve(services.store(), call, services.now()));
        if (decision instanceof ModelRateLimits.Throttled wait) {
            run.parkThrottled(step.withNote(wait.note()), wait.key(), wait.until());
            throw new IllegalStateException("unreachable: parking stops the run");
        }
        RateReservation reservation = ((ModelRateLimits.Granted) decision).reservation();
        ActionPolicy policy = services.settings().defaultPolicy();
        StepExecutor.Outcome outcome = run.execute(step, policy, policy.maxAttempts(), false, attempt -> call.execute());
        T value = call.type().cast(outcome.value());
        int[] tokens = value == null ? null : call.tokens(value);
        if (tokens != null) {
            step = step.withCall(step.fingerprint(), tokens[0], tokens[1]);
        }
        run.record(step, outcome);
        run.spentTokens(step, tokens == null ? 0 : tokens[0], tokens == null ? 0 : tokens[1]);
        if (reservation != null) {
            settle(reservation, tokens);
        }
        return value;
    }

    /** Corrects the call's window by its recorded tokens; a failure only makes the window's count less exact. */
    private void settle(RateReservation reservation, int @Nullable [] tokens) {
        try {
            rateLimits.settle(services.store(), reservation, tokens);
        }
        catch (RuntimeException ex) {
            log.warn("Saga {}: the tokens of a model call could not be added to the rate window of {} ({}); the "
                    + "window counts its estimate instead", run.sagaId(), reservation.key(), ex.toString());
        }
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
