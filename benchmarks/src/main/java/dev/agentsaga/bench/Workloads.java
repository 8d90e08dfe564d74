package dev.agentsaga.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaAction;

/** The actions and workflows the benchmarks run: no-op COMPENSABLE steps with a small payload. */
final class Workloads {

    /** The workflow of N no-op steps. */
    static final String STEPS = "steps";

    /** Five steps, the second of which blocks while {@link Gate#BLOCK} is closed (the recovery child). */
    static final String RECOVER = "recover";

    /** One step, then parked in {@code awaitSignal} (memory of waiting sagas). */
    static final String PARK = "park";

    /** One step, then a step that blocks while {@link Gate#BLOCK} is closed (memory of running sagas). */
    static final String HOLD = "hold";

    /** The journaled payload: about 60 bytes of JSON. */
    record Item(String id, int quantity, @Nullable String note) {
    }

    static final Item ITEM = new Item("order-4711", 3, "small payload for the journal");

    /** The same payload as JSON text, for the plain-JDBC baselines. */
    static final String ITEM_JSON = "{\"id\":\"order-4711\",\"quantity\":3,\"note\":\"small payload for the journal\"}";

    /** The registered instances: the engine knows actions by instance. */
    static final Noop NOOP = new Noop();

    static final Gate GATE = new Gate();

    private Workloads() {
    }

    /** Registers every action and the workflows, with the given number of steps per {@link #STEPS} saga. */
    static AgentSaga.Builder register(AgentSaga.Builder builder, int steps) {
        return builder.action("noop", NOOP)
                .action("gate", GATE)
                .workflow(STEPS, new Steps(steps))
                .workflow(RECOVER, new Recover())
                .workflow(PARK, new Park())
                .workflow(HOLD, new Hold());
    }

    /** A COMPENSABLE action that does nothing: what is left is the engine's own cost. */
    static final class Noop implements SagaAction<Item, Item> {
        @Override
        public Item execute(Item input, ActionContext ctx) {
            return input;
        }

        @Override
        public void compensate(Item input, Item output, ActionContext ctx) {
        }
    }

    /** A no-op COMPENSABLE action that, while {@link #BLOCK} is closed, blocks until it opens. */
    static final class Gate implements SagaAction<Item, Item> {

        /** Open unless a benchmark closes it (the recovery child never opens it: it is killed). */
        static volatile CountDownLatch BLOCK = new CountDownLatch(0);

        /** How many executions are blocked right now. */
        static final AtomicInteger BLOCKED = new AtomicInteger();

        @Override
        public Item execute(Item input, ActionContext ctx) throws InterruptedException {
            CountDownLatch gate = BLOCK;
            if (gate.getCount() > 0) {
                BLOCKED.incrementAndGet();
                try {
                    gate.await();
                }
                finally {
                    BLOCKED.decrementAndGet();
                }
            }
            return input;
        }

        @Override
        public void compensate(Item input, Item output, ActionContext ctx) {
        }
    }

    /** Wall time spent inside {@code saga.step(...)} calls of executed (not replayed) steps. */
    static final class StepTimer {

        static final LongAdder NANOS = new LongAdder();

        static final LongAdder STEPS = new LongAdder();

        /** Each step's time, while a sequential benchmark records them (one saga at a time). */
        private static final long[] SAMPLES = new long[1 << 20];

        private static final AtomicInteger RECORDED = new AtomicInteger();

        static void reset() {
            NANOS.reset();
            STEPS.reset();
            RECORDED.set(0);
        }

        static void add(long nanos) {
            NANOS.add(nanos);
            STEPS.increment();
            int i = RECORDED.getAndIncrement();
            if (i < SAMPLES.length) {
                SAMPLES[i] = nanos;
            }
        }

        static double meanMillis() {
            long n = STEPS.sum();
            return n == 0 ? Double.NaN : NANOS.sum() / 1e6 / n;
        }

        static long[] samples() {
            return java.util.Arrays.copyOf(SAMPLES, Math.min(RECORDED.get(), SAMPLES.length));
        }
    }

    /** N no-op steps; the time of each {@code saga.step} call is added to {@link StepTimer}. */
    static final class Steps implements AgentWorkflow<Item, Item> {

        private final Noop noop = NOOP;

        private final int steps;

        Steps(int steps) {
            this.steps = steps;
        }

        @Override
        public Item run(Item input, Saga saga) {
            Item item = input;
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                item = saga.step(noop, item);
                StepTimer.add(System.nanoTime() - t0);
            }
            return item;
        }
    }

    /** Five steps; the second blocks while the gate is closed. */
    static final class Recover implements AgentWorkflow<Item, Item> {

        private final Noop noop = NOOP;

        private final Gate gate = GATE;

        @Override
        public Item run(Item input, Saga saga) {
            Item item = saga.step(noop, input);
            item = saga.step(gate, item);
            item = saga.step(noop, item);
            item = saga.step(noop, item);
            return saga.step(noop, item);
        }
    }

    /** One step, then a wait for a signal that does not come within the benchmark. */
    static final class Park implements AgentWorkflow<Item, Item> {

        private final Noop noop = NOOP;

        @Override
        public Item run(Item input, Saga saga) {
            Item item = saga.step(noop, input);
            String go = saga.awaitSignal("go", String.class, Duration.ofHours(1));
            return new Item(item.id(), item.quantity(), go);
        }
    }

    /** One step, then a step that blocks while the gate is closed: a saga that holds a worker. */
    static final class Hold implements AgentWorkflow<Item, Item> {

        private final Noop noop = NOOP;

        private final Gate gate = GATE;

        @Override
        public Item run(Item input, Saga saga) {
            return saga.step(gate, saga.step(noop, input));
        }
    }
}
