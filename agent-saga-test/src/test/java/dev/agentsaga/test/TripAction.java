package dev.agentsaga.test;

import java.util.concurrent.atomic.AtomicInteger;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;

/**
 * One action of the trip: a request to the {@link Ledger} under the step's idempotency key, and for its
 * compensation a request to undo under the same key. It can be told to be unavailable for some attempts.
 */
final class TripAction implements SagaAction<String, String> {

    private final String name;

    private final Reversibility reversibility;

    private final Ledger ledger;

    private final AtomicInteger unavailableAttempts = new AtomicInteger();

    private volatile ActionPolicy policy = ActionPolicy.defaults();

    TripAction(String name, Reversibility reversibility, Ledger ledger) {
        this.name = name;
        this.reversibility = reversibility;
        this.ledger = ledger;
    }

    /** The next {@code attempts} attempts fail before they reach the downstream. */
    TripAction unavailableFor(int attempts) {
        unavailableAttempts.set(attempts);
        return this;
    }

    /** Every attempt fails from now on. */
    TripAction unavailable() {
        return unavailableFor(Integer.MAX_VALUE);
    }

    TripAction withPolicy(ActionPolicy policy) {
        this.policy = policy;
        return this;
    }

    @Override
    public String execute(String destination, ActionContext ctx) {
        if (unavailableAttempts.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IllegalStateException(name + " is unavailable (attempt " + ctx.attempt() + ")");
        }
        ledger.receive(Ledger.Op.EXECUTE, name, ctx.idempotencyKey());
        return name + " for " + destination;
    }

    @Override
    public void compensate(String destination, String output, ActionContext ctx) {
        ledger.receive(Ledger.Op.COMPENSATE, name, ctx.idempotencyKey());
    }

    @Override
    public Reversibility reversibility() {
        return reversibility;
    }

    @Override
    public ActionPolicy policy() {
        return policy;
    }

    @Override
    public String name() {
        return name;
    }
}
