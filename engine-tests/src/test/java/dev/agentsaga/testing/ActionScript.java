package dev.agentsaga.testing;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.agentsaga.ActionContext;
import dev.agentsaga.OutcomeUnknownException;
import dev.agentsaga.testing.EffectLedger.Kind;

/**
 * How a test action behaves, shared by {@link CompensableAction}, {@link ReadOnlyAction} and
 * {@link IrreversibleAction}: every call is recorded in the {@link EffectLedger}; failures, sleeps and
 * ambiguous outcomes are scripted per idempotency key (counted by calls, not by the engine's attempt
 * numbers), so one action instance can serve several sagas.
 */
public final class ActionScript {

    private final String name;

    private final EffectLedger ledger;

    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

    private volatile int failures;

    private volatile boolean alwaysFail;

    private volatile int unknownOutcomes;

    private volatile int slowCalls;

    private volatile Duration slowness = Duration.ZERO;

    private volatile int outputPadding;

    private volatile boolean compensationBroken;

    ActionScript(String name, EffectLedger ledger) {
        this.name = Objects.requireNonNull(name, "name must not be null");
        this.ledger = Objects.requireNonNull(ledger, "ledger must not be null");
    }

    String name() {
        return name;
    }

    void failTimes(int times) {
        this.failures = times;
    }

    void failAlways() {
        this.alwaysFail = true;
    }

    void outcomeUnknownTimes(int times) {
        this.unknownOutcomes = times;
    }

    void sleepOnFirstCalls(int calls, Duration duration) {
        this.slowCalls = calls;
        this.slowness = duration;
    }

    void padOutput(int characters) {
        this.outputPadding = characters;
    }

    void breakCompensation(boolean broken) {
        this.compensationBroken = broken;
    }

    /** What {@code name(input)} outputs when it succeeds. */
    public static String outputOf(String name, String input) {
        return name + "(" + input + ")";
    }

    String execute(String input, ActionContext ctx) throws Exception {
        int call = executions.computeIfAbsent(ctx.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
        ledger.recordAttempt(name, Kind.EXECUTE, ctx);
        if (call <= slowCalls) {
            Thread.sleep(slowness.toMillis());
        }
        if (alwaysFail || call <= failures) {
            throw new IllegalStateException(name + " failed on call " + call);
        }
        if (call <= unknownOutcomes) {
            throw new OutcomeUnknownException(name + " got no answer on call " + call, ctx.sagaId(), ctx.step(),
                    null);
        }
        String output = outputOf(name, input) + "x".repeat(outputPadding);
        ledger.recordEffect(name, Kind.EXECUTE, ctx, input);
        return output;
    }

    void compensate(String input, String output, ActionContext ctx) {
        ledger.recordAttempt(name, Kind.COMPENSATE, ctx);
        if (compensationBroken) {
            throw new IllegalStateException("compensation of " + name + " is broken");
        }
        // the payload is "input -> output"; a context that does not say it is compensating shows in it
        String payload = input + " -> " + output + (ctx.compensating() ? "" : " (ctx.compensating() was false)");
        ledger.recordEffect(name, Kind.COMPENSATE, ctx, payload);
    }
}
