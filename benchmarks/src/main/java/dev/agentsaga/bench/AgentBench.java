package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.ms;
import static dev.agentsaga.bench.Results.ratio;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

import com.zaxxer.hikari.HikariDataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.client.ChatClient;

import dev.agentsaga.SagaEngine;
import dev.agentsaga.bench.AgentWorkloads.Timed;
import dev.agentsaga.bench.Engines.Rests;
import dev.agentsaga.bench.Results.Log;
import dev.agentsaga.bench.SequentialBench.Samples;

/**
 * 7. One agent at a time, the same task written as an {@link dev.agentsaga.ai.AgentLoop} and as a Spring AI
 * {@code ChatClient} with a {@code @Tool} method made durable by agent-saga, beside the same ChatClient
 * without agent-saga and a single-row INSERT commit, all on one instant in-process model, interleaved
 * iteration by iteration in time-boxed rounds. Then the round trips of one run of each agent.
 */
final class AgentBench {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    AgentBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    /** What one round measured: milliseconds per run (p50), CPU microseconds per run (mean). */
    record Round(int runs, double plain, double insert, double loopIn, double chatIn, double loopRested,
            double chatRested, double plainCpu, double loopCpu, double chatCpu) {
    }

    void run() throws Exception {
        int toolCalls = options.steps();
        AgentWorkloads agents = new AgentWorkloads(toolCalls);
        int rounds = Math.max(3, options.rounds());
        long budget = (long) ((options.seconds() + 1) * options.scale() * 1e9);
        Log.info("7. agents: %d tool calls and an answer per run (%d journaled steps), %d rounds of %.1f s", toolCalls,
                agents.stepsPerRun(), rounds, budget / 1e9);
        try (HikariDataSource pool = db.pool("agents", 10)) {
            db.truncate(pool);
            Baseline baseline = new Baseline(pool);
            ChatClient plain = agents.plainChatClient();
            Rests rests = new Rests();
            SagaEngine engine = agents.register(Engines.builder(pool, 8, options.steps(), rests)).build();
            engine.startup();
            List<Round> measured = new ArrayList<>();
            try {
                warmUp(engine, plain, baseline, agents, options.count(2000));
                for (int r = 1; r <= rounds; r++) {
                    Round round = round(engine, rests, plain, baseline, agents, budget);
                    measured.add(round);
                    Log.info("  round %d (%d runs of each): p50 per run: plain ChatClient %.3f ms; in the workflow: "
                            + "AgentLoop %.3f ms, ChatClient %.3f ms; start -> rested: AgentLoop %.3f ms, ChatClient "
                            + "%.3f ms; INSERT+commit %.3f ms; JVM CPU per run: plain %.0f us, AgentLoop %.0f us, "
                            + "ChatClient %.0f us", r, round.runs(), round.plain(), round.loopIn(), round.chatIn(),
                            round.loopRested(), round.chatRested(), round.insert(), round.plainCpu(), round.loopCpu(),
                            round.chatCpu());
                }
            }
            finally {
                Engines.shutdown(engine);
            }
            report(measured, agents);
            countRoundTrips(pool, agents);
        }
    }

    private void report(List<Round> rounds, AgentWorkloads agents) {
        int steps = agents.stepsPerRun();
        String note = f("p50 per run / %d journaled steps (%d model calls, %d tool calls); median of %d interleaved "
                + "rounds, %,d runs of each", steps, options.steps() + 1, options.steps(), rounds.size(),
                rounds.stream().mapToInt(Round::runs).sum());
        double plain = median(rounds, Round::plain);
        String base = ms(plain / steps) + " plain ChatClient";
        double loopIn = median(rounds, Round::loopIn);
        double chatIn = median(rounds, Round::chatIn);
        results.add("7", "agent, AgentLoop: ms per step, in the workflow (`loop.run`)", ms(loopIn / steps), base,
                "**" + ratio(loopIn, plain) + "**", note + f("; %s per run vs %s", ms(loopIn), ms(plain)));
        results.add("7", "agent, ChatClient + `@Tool`, durable: ms per step, in the workflow (`call()`)",
                ms(chatIn / steps), base, "**" + ratio(chatIn, plain) + "**",
                f("%s per run; %s the AgentLoop agent's", ms(chatIn), ratio(chatIn, loopIn)));
        double loopRested = median(rounds, Round::loopRested);
        double chatRested = median(rounds, Round::chatRested);
        results.add("7", "agent, AgentLoop: ms per step, `start` -> rested", ms(loopRested / steps), base,
                ratio(loopRested, plain), f("%s per run, start and finish included", ms(loopRested)));
        results.add("7", "agent, ChatClient durable: ms per step, `start` -> rested", ms(chatRested / steps), base,
                ratio(chatRested, plain), f("%s per run; %s the AgentLoop agent's", ms(chatRested),
                        ratio(chatRested, loopRested)));
        double insert = median(rounds, Round::insert);
        double loopAdds = (loopIn - plain) / steps;
        double chatAdds = (chatIn - plain) / steps;
        results.add("7", "agent: what durability adds per step (durable minus plain, in the workflow), AgentLoop / "
                + "ChatClient", ms(loopAdds) + " / " + ms(chatAdds), ms(insert) + " INSERT+commit",
                ratio(loopAdds, insert) + " / " + ratio(chatAdds, insert),
                "against the floor of a journaled step: a single-row INSERT + commit, interleaved with the agents");
        double plainCpu = median(rounds, Round::plainCpu);
        double loopCpu = median(rounds, Round::loopCpu);
        double chatCpu = median(rounds, Round::chatCpu);
        results.add("7", "agent: JVM CPU per run, AgentLoop / ChatClient durable (engine threads + `start`)",
                f("%,.0f / %,.0f µs", loopCpu, chatCpu), f("%,.0f µs plain ChatClient", plainCpu),
                ratio(loopCpu, plainCpu) + " / " + ratio(chatCpu, plainCpu),
                f("≈ %.0f / %.0f µs per step vs %.0f µs; means of the rounds' runs", loopCpu / steps, chatCpu / steps,
                        plainCpu / steps));
    }

    private static double median(List<Round> rounds, ToDoubleFunction<Round> figure) {
        return Results.median(rounds.stream().mapToDouble(figure).toArray());
    }

    /**
     * Warms up the JIT, the pool and the prepared statements: 6 threads of durable agents (a run is a dozen
     * commits, so one thread would run too few for C2 in the time allowed) and 2 of baselines.
     */
    private void warmUp(SagaEngine engine, ChatClient plain, Baseline baseline, AgentWorkloads agents, int runs)
            throws Exception {
        AtomicInteger done = new AtomicInteger();
        long end = System.nanoTime() + (long) (20e9 * Math.min(1, options.scale()));
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 8; i++) {
            boolean durable = i < 6;
            Thread thread = new Thread(() -> {
                try {
                    String plainSaga = UUID.randomUUID().toString();
                    int seq = 0;
                    while (done.get() < runs && System.nanoTime() < end) {
                        if (durable) {
                            for (String workflow : List.of(AgentWorkloads.AGENT_LOOP, AgentWorkloads.CHAT_CLIENT)) {
                                String answer = engine.start(workflow, AgentWorkloads.GOAL)
                                        .awaitOutput(String.class, TIMEOUT);
                                check(agents, workflow, answer);
                            }
                            done.incrementAndGet();
                        }
                        else {
                            check(agents, "plain ChatClient", plain.prompt().user(AgentWorkloads.GOAL).call()
                                    .content());
                            baseline.insertStep(plainSaga, ++seq);
                        }
                    }
                }
                catch (Exception ex) {
                    failures.add(ex);
                }
            }, "bench-agent-warm-up-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the agents' warm-up failed", failures.get(0));
        }
        Log.info("  warm-up: %,d runs of each agent", done.get());
    }

    private static void check(AgentWorkloads agents, String agent, @Nullable String answer) {
        if (!agents.answer().equals(answer)) {
            throw new IllegalStateException(agent + " answered '" + answer + "', not '" + agents.answer() + "'");
        }
    }

    /** One time box in which every variant takes its turn, iteration by iteration. */
    private Round round(SagaEngine engine, Rests rests, ChatClient plainClient, Baseline baseline,
            AgentWorkloads agents, long budget) throws Exception {
        Samples plain = new Samples();
        Samples insert = new Samples();
        Samples loopIn = new Samples();
        Samples chatIn = new Samples();
        Samples loopRested = new Samples();
        Samples chatRested = new Samples();
        long[] cpu = new long[3];
        String plainSaga = UUID.randomUUID().toString();
        int seq = 0;
        Thread.sleep(50);
        rests.rested.drainPermits();
        List<Thread> engineThreads = engineThreads();
        long end = System.nanoTime() + budget;
        while (System.nanoTime() < end || plain.size() < 10) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            String answer = plainClient.prompt().user(AgentWorkloads.GOAL).call().content();
            plain.add(System.nanoTime() - t0);
            cpu[0] += THREADS.getCurrentThreadCpuTime() - c0;
            check(agents, "plain ChatClient", answer);
            t0 = System.nanoTime();
            baseline.insertStep(plainSaga, ++seq);
            insert.add(System.nanoTime() - t0);
            cpu[1] += runOne(engine, rests, engineThreads, AgentWorkloads.AGENT_LOOP, loopIn, loopRested);
            cpu[2] += runOne(engine, rests, engineThreads, AgentWorkloads.CHAT_CLIENT, chatIn, chatRested);
        }
        if (rests.other.sum() > 0) {
            throw new IllegalStateException(rests.other.sum() + " agent sagas did not complete; see the log");
        }
        int n = plain.size();
        return new Round(n, p50(plain), p50(insert), p50(loopIn), p50(chatIn), p50(loopRested), p50(chatRested),
                cpu[0] / 1e3 / n, cpu[1] / 1e3 / n, cpu[2] / 1e3 / n);
    }

    /** Runs one agent saga to its rest; returns the JVM CPU it took (the engine's threads and the caller's start). */
    private static long runOne(SagaEngine engine, Rests rests, List<Thread> engineThreads, String workflow,
            Samples inWorkflow, Samples rested) throws Exception {
        long cpu0 = cpu(engineThreads);
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        engine.start(workflow, AgentWorkloads.GOAL);
        long startCpu = THREADS.getCurrentThreadCpuTime() - c0;
        if (!rests.await(1, TIMEOUT)) {
            throw new IllegalStateException("A " + workflow + " saga did not rest within " + TIMEOUT);
        }
        rested.add(System.nanoTime() - t0);
        inWorkflow.add(Timed.lastNanos);
        return cpu(engineThreads) - cpu0 + startCpu;
    }

    /** The engine's threads (workers, poller, committer), as they are when a round begins. */
    private static List<Thread> engineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("agent-saga-"))
                .toList();
    }

    private static long cpu(List<Thread> threads) {
        long sum = 0;
        for (Thread thread : threads) {
            sum += Math.max(0, THREADS.getThreadCpuTime(thread.getId()));
        }
        return sum;
    }

    private static double p50(Samples samples) {
        return Results.percentileMillis(samples.values(), 50);
    }

    /** Round trips of one run of each agent, counted by a proxy on the data source (untimed). */
    private void countRoundTrips(HikariDataSource pool, AgentWorkloads agents) throws Exception {
        CountingDataSource counting = new CountingDataSource(pool);
        Rests rests = new Rests();
        SagaEngine engine = agents.register(Engines.builder(counting, 8, options.steps(), rests)).build();
        engine.startup();
        try {
            int n = 50;
            int steps = agents.stepsPerRun();
            List<String> figures = new ArrayList<>();
            for (String workflow : List.of(AgentWorkloads.AGENT_LOOP, AgentWorkloads.CHAT_CLIENT)) {
                runMany(engine, rests, workflow, 5);
                counting.reset();
                runMany(engine, rests, workflow, n);
                figures.add(f("%.1f / %.1f / %.1f per run, %.2f transactions per step",
                        counting.statements.sum() / (double) n, counting.reads.sum() / (double) n,
                        counting.commits.sum() / (double) n, counting.commits.sum() / (double) n / steps));
            }
            results.add("7", "agent: round trips per run, AgentLoop: statements / of which reads / transactions",
                    figures.get(0), "0 plain ChatClient", "", f("counted by a JDBC proxy over %d runs, poller and "
                            + "heartbeat included; %d journaled steps + `start` and finish per run", n, steps));
            results.add("7", "agent: round trips per run, ChatClient durable: statements / reads / transactions",
                    figures.get(1), "0 plain ChatClient", "", "the same count");
        }
        finally {
            Engines.shutdown(engine);
        }
    }

    private static void runMany(SagaEngine engine, Rests rests, String workflow, int n) throws Exception {
        Thread.sleep(50);
        rests.rested.drainPermits();
        for (int i = 0; i < n; i++) {
            engine.start(workflow, AgentWorkloads.GOAL);
            if (!rests.await(1, TIMEOUT)) {
                throw new IllegalStateException("A " + workflow + " saga did not rest within " + TIMEOUT);
            }
        }
        if (rests.other.sum() > 0) {
            throw new IllegalStateException(rests.other.sum() + " agent sagas did not complete; see the log");
        }
    }
}
