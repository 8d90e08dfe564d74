package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.rate;

import java.util.ArrayList;
import java.util.List;

import dev.agentsaga.SagaQueue;
import dev.agentsaga.bench.Results.Log;

/**
 * 9. What a queue's limit check costs: workflows per second with 64 sagas in flight on the workflow without a
 * configured queue (the engine as it is without queues), and with its queue limited to 64 sagas across the fleet,
 * a limit that never holds a saga back (the check alone: starts inserted PENDING, claims of the queue under its
 * lock row, its running sagas counted, its candidates in turn order), then also to 64 per node and per partition.
 * Each round measures the three one after the other; the ratios are to the figure without a queue of the same
 * round.
 */
final class QueueBench {

    private static final int IN_FLIGHT = 64;

    private final BenchOptions options;

    private final Results results;

    private final ThroughputBench throughput;

    QueueBench(BenchDatabase db, BenchOptions options, Results results) {
        this.options = options;
        this.results = results;
        this.throughput = new ThroughputBench(db, options, results);
    }

    void run() throws Exception {
        int steps = options.steps();
        Log.info("9. queues: %d-step workflows, %d in flight, %.1f s windows", steps, IN_FLIGHT, options.seconds());
        List<Double> none = new ArrayList<>();
        List<Double> configured = new ArrayList<>();
        List<Double> limited = new ArrayList<>();
        List<Double> configuredRatios = new ArrayList<>();
        List<Double> limitedRatios = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            double base = throughput.engine(IN_FLIGHT, steps, true, builder -> builder);
            double limit = throughput.engine(IN_FLIGHT, steps, true,
                    builder -> builder.queue(SagaQueue.named(Workloads.STEPS).withGlobalConcurrency(IN_FLIGHT)));
            double queue = throughput.engine(IN_FLIGHT, steps, true, builder -> builder.queue(SagaQueue
                    .named(Workloads.STEPS).withGlobalConcurrency(IN_FLIGHT).withNodeConcurrency(IN_FLIGHT)
                    .withPartitionConcurrency(IN_FLIGHT)));
            none.add(base);
            configured.add(queue);
            limited.add(limit);
            configuredRatios.add(queue / base);
            limitedRatios.add(limit / base);
            Log.info("  round %d: no queue %.0f/s, global limit %d %.0f/s (%.2fx), all three limits %.0f/s (%.2fx)",
                    round, base, IN_FLIGHT, limit, limit / base, queue, queue / base);
        }
        // the database calls per completed saga, counted by a JDBC proxy in one more run of each (not timed)
        List<double[]> counts = new ArrayList<>();
        throughput.engine(IN_FLIGHT, steps, true, builder -> builder, counts);
        throughput.engine(IN_FLIGHT, steps, true,
                builder -> builder.queue(SagaQueue.named(Workloads.STEPS).withGlobalConcurrency(IN_FLIGHT)), counts);
        Log.info("  statements / transactions per completed saga: no queue %.1f / %.1f, global limit %.1f / %.1f",
                counts.get(0)[0], counts.get(0)[1], counts.get(1)[0], counts.get(1)[1]);
        String rounds = f("median of %d rounds of %.0f s, each beside its own figure without a queue",
                options.rounds(), options.seconds());
        results.add("9", f("queues: %d-step workflows/s, %d in flight, the workflow's queue limited to %d across the "
                + "fleet (never reached: the check alone)", steps, IN_FLIGHT, IN_FLIGHT), rate(median(limited)),
                rate(median(none)) + " (no queue configured)", "**" + f("%.2fx", median(limitedRatios)) + "**",
                rounds);
        results.add("9", f("the same, limited to %d across the fleet, per node and per partition", IN_FLIGHT),
                rate(median(configured)), rate(median(none)) + " (no queue configured)",
                "**" + f("%.2fx", median(configuredRatios)) + "**", rounds);
        results.add("9", "statements / transactions per completed saga, the global limit of 64",
                f("%.1f / %.1f", counts.get(1)[0], counts.get(1)[1]),
                f("%.1f / %.1f (no queue configured)", counts.get(0)[0], counts.get(0)[1]), "",
                "counted by a JDBC proxy over one more run of each, poller and heartbeat included");
    }
}
