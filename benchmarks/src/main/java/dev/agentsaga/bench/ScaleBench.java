package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.ms;
import static dev.agentsaga.bench.Results.ratio;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.Page;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.bench.Engines.Rests;
import dev.agentsaga.bench.Results.Log;
import dev.agentsaga.bench.Workloads.StepTimer;
import dev.agentsaga.store.jdbc.JdbcSagaStore;
import dev.agentsaga.store.jdbc.SqlDialect;

/**
 * 4. Scale: per-step latency, {@code list} and {@code find} on an empty journal and with ~1,000,000
 * step rows (200,000 sagas of 5 steps, bulk-loaded with plain SQL), and the plans of the claim and
 * list queries.
 */
final class ScaleBench {

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    /** The plans, printed after the table. */
    private final List<String> plans = new ArrayList<>();

    ScaleBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    List<String> plans() {
        return plans;
    }

    /** What one state of the journal measured. */
    private record Figures(double insert, double step, double find, double listAttention, double listTwoStatuses,
            double listAll) {
    }

    void run() throws Exception {
        int sagas = options.count(200_000);
        int stepsPerSaga = 5;
        Log.info("4. scale: empty journal vs %,d step rows", sagas * stepsPerSaga);
        try (HikariDataSource pool = db.pool("scale", 10)) {
            db.truncate(pool);
            Rests rests = new Rests();
            SagaEngine engine = Engines.build(pool, 8, options.steps(), rests);
            engine.startup();
            try {
                SequentialBench.observerLoop(engine, rests, options.count(300)); // warm-up
                Figures empty = measure(engine, rests, pool);
                Log.info("  empty: %s", empty);
                long t0 = System.nanoTime();
                bulkLoad(pool, sagas, stepsPerSaga);
                long rows = BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.STEP);
                Log.info("  loaded %,d step rows in %.1f s", rows, (System.nanoTime() - t0) / 1e9);
                Figures loaded = measure(engine, rests, pool);
                Log.info("  loaded: %s", loaded);
                String note = f("%,d step rows / %,d sagas vs empty; medians of %d rounds", rows,
                        BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM " + BenchDatabase.INSTANCE),
                        options.rounds());
                results.add("4", "scale: p50 ms per step with 1M journal rows (empty journal as baseline)",
                        ms(loaded.step()), ms(empty.step()) + " empty", ratio(loaded.step(), empty.step()),
                        note + f("; plain INSERT+commit meanwhile %s vs %s, so normalised by it: %s", ms(loaded.insert()),
                                ms(empty.insert()), ratio(loaded.step() / loaded.insert(), empty.step() / empty.insert())));
                results.add("4", "scale: `find(id)` (instance + journal of 5 steps)", ms(loaded.find()),
                        ms(empty.find()) + " empty", ratio(loaded.find(), empty.find()), note);
                results.add("4", "scale: `list(withStatuses(NEEDS_ATTENTION))`, first page of 20 (1% of sagas match)",
                        ms(loaded.listAttention()), ms(empty.listAttention()) + " empty",
                        ratio(loaded.listAttention(), empty.listAttention()),
                        note + "; a page query and a count of at most " + f("%,d", JdbcSagaStore.TOTAL_LIMIT + 1));
                results.add("4", "scale: `list(withStatuses(NEEDS_ATTENTION, COMPENSATED))`, first page of 20 (2% match)",
                        ms(loaded.listTwoStatuses()), ms(empty.listTwoStatuses()) + " empty",
                        ratio(loaded.listTwoStatuses(), empty.listTwoStatuses()),
                        note + "; one index branch per status, merged");
                results.add("4", "scale: `list(SagaQuery.all())`, first page of 20", ms(loaded.listAll()),
                        ms(empty.listAll()) + " empty", ratio(loaded.listAll(), empty.listAll()),
                        note + "; " + total(engine.list(SagaQuery.all())));
                explain(pool, "bulk-" + (sagas / 2));
            }
            finally {
                Engines.shutdown(engine);
            }
            db.truncate(pool);
        }
    }

    private Figures measure(SagaEngine engine, Rests rests, HikariDataSource pool) throws Exception {
        Baseline baseline = new Baseline(pool);
        List<Double> insert = new ArrayList<>();
        List<Double> step = new ArrayList<>();
        List<Double> find = new ArrayList<>();
        List<Double> attention = new ArrayList<>();
        List<Double> twoStatuses = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        long budget = (long) (options.seconds() * options.scale() * 0.75e9);
        for (int round = 0; round < options.rounds(); round++) {
            String saga = UUID.randomUUID().toString();
            SequentialBench.Samples inserts = new SequentialBench.Samples();
            StepTimer.reset();
            long end = System.nanoTime() + budget;
            int seq = 0;
            while (System.nanoTime() < end || inserts.size() < 50) {
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    baseline.insertStep(saga, ++seq);
                    inserts.add(System.nanoTime() - t0);
                }
                SequentialBench.runOne(engine, rests);
            }
            insert.add(Results.percentileMillis(inserts.values(), 50));
            step.add(Results.percentileMillis(StepTimer.samples(), 50));
            String id = engine.list(SagaQuery.all()).items().get(0).id();
            find.add(time(200, () -> engine.find(id)));
            attention.add(time(50, () -> engine.list(SagaQuery.all().withStatuses(SagaStatus.NEEDS_ATTENTION))));
            twoStatuses.add(time(50, () -> engine.list(SagaQuery.all()
                    .withStatuses(SagaStatus.NEEDS_ATTENTION, SagaStatus.COMPENSATED))));
            all.add(time(50, () -> engine.list(SagaQuery.all())));
        }
        return new Figures(median(insert), median(step), median(find), median(attention), median(twoStatuses),
                median(all));
    }

    /** What a page reports as its total. */
    private static String total(Page<?> page) {
        return page.totalExact() ? f("total %,d (exact)", page.total())
                : f("total: more than %,d (counting stops there)", page.total());
    }

    /** The median of {@code n} calls, in milliseconds, after as many warm-up calls. */
    private static double time(int n, Supplier<?> call) {
        for (int i = 0; i < n; i++) {
            call.get();
        }
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call.get();
            millis[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(millis);
    }

    /**
     * Bulk-loads {@code sagas} finished sagas of {@code steps} steps each: 98% COMPLETED, 1%
     * NEEDS_ATTENTION, 1% COMPENSATED, created over the last {@code sagas} seconds.
     */
    private static void bulkLoad(HikariDataSource pool, int sagas, int steps) throws Exception {
        String payload = Workloads.ITEM_JSON.replace("'", "''");
        BenchDatabase.execute(pool, """
                INSERT INTO %s (id, workflow, workflow_version, status, input, output, error, cancel_requested,
                                lease_epoch, created_at, updated_at)
                SELECT 'bulk-' || g, '%s', '1',
                       CASE g %% 100 WHEN 0 THEN 'NEEDS_ATTENTION' WHEN 1 THEN 'COMPENSATED' ELSE 'COMPLETED' END,
                       '%s', '%s',
                       CASE g %% 100 WHEN 0 THEN 'bulk-loaded: needs attention' END, FALSE, 1,
                       now() - (%d - g) * interval '1 second', now() - (%d - g) * interval '1 second'
                FROM generate_series(1, %d) AS g""".formatted(BenchDatabase.INSTANCE, Workloads.STEPS, payload,
                payload, sagas, sagas, sagas));
        BenchDatabase.execute(pool, """
                INSERT INTO %s (saga_id, seq, name, kind, reversibility, status, input, output, attempts, started_at,
                                finished_at, compensation_attempts)
                SELECT 'bulk-' || g, s, 'noop', 'ACTION', 'COMPENSABLE', 'SUCCEEDED', '%s', '%s', 1,
                       now() - (%d - g) * interval '1 second', now() - (%d - g) * interval '1 second', 0
                FROM generate_series(1, %d) AS g CROSS JOIN generate_series(1, %d) AS s""".formatted(
                BenchDatabase.STEP, payload, payload, sagas, sagas, sagas, steps));
        BenchDatabase.execute(pool, "VACUUM ANALYZE " + BenchDatabase.INSTANCE);
        BenchDatabase.execute(pool, "VACUUM ANALYZE " + BenchDatabase.STEP);
    }

    /** The plans of the claim, list and find queries on the loaded journal. */
    private void explain(HikariDataSource pool, String sagaId) throws java.sql.SQLException {
        Explain explain = new Explain(pool, results, plans);
        SqlDialect sql = Explain.SQL;
        // the fragments JdbcSagaStore.list builds for a status filter: one branch per status, and the count's
        String byStatus = " WHERE status IN (:statuses)";
        MapSqlParameterSource list = new MapSqlParameterSource("statuses", List.of(SagaStatus.NEEDS_ATTENTION.name()))
                .addValue("status0", SagaStatus.NEEDS_ATTENTION.name()).addValue("limit", 20).addValue("offset", 0L)
                .addValue("window", 20L).addValue("countLimit", JdbcSagaStore.TOTAL_LIMIT + 1);
        MapSqlParameterSource two = new MapSqlParameterSource(list.getValues())
                .addValue("status0", SagaStatus.COMPENSATED.name()).addValue("status1", SagaStatus.NEEDS_ATTENTION.name());
        MapSqlParameterSource journal = new MapSqlParameterSource("sagaId", sagaId).addValue("id", sagaId);
        explain.plan("4", "claim (every poll), nothing runnable", sql.claim(), Explain.claimParams(16));
        explain.plan("4", "list page, status = NEEDS_ATTENTION", sql.selectSummariesByStatus(List.of("status = :status0")),
                list);
        explain.plan("4", "list page, status = COMPENSATED or NEEDS_ATTENTION",
                sql.selectSummariesByStatus(List.of("status = :status0", "status = :status1")), two);
        explain.plan("4", "list count, status = NEEDS_ATTENTION (up to the limit)", sql.countSummaries(byStatus), list);
        explain.plan("4", "list page, all", sql.selectSummaries(""), list);
        explain.plan("4", "list count, all (up to the limit)", sql.countSummaries(""), list);
        explain.plan("4", "find: instance by id", sql.selectInstance(), journal);
        explain.plan("4", "find / resume: journal by saga id", sql.selectJournal(), journal);
        // 10,000 sagas of a crashed engine among the finished ones (version 2, which the running engine leaves alone)
        int orphans = options.count(10_000);
        BenchDatabase.execute(pool, """
                INSERT INTO %s (id, workflow, workflow_version, status, input, cancel_requested, owner, lease_epoch,
                                lease_expires_at, created_at, updated_at)
                SELECT 'orphan-' || g, '%s', '2', 'RUNNING', '{}', FALSE, 'crashed-node', 1,
                       now() - interval '1 minute', now() - interval '2 minutes', now() - interval '2 minutes'
                FROM generate_series(1, %d) AS g""".formatted(BenchDatabase.INSTANCE, Workloads.RECOVER, orphans));
        BenchDatabase.execute(pool, "ANALYZE " + BenchDatabase.INSTANCE);
        explain.plan("4", f("claim of 16 with %,d expired RUNNING sagas among the finished ones", orphans),
                sql.claim(), Explain.claimParams(16, List.<Object[]>of(new Object[] { Workloads.RECOVER, "2" })));
        BenchDatabase.execute(pool, "DELETE FROM " + BenchDatabase.INSTANCE + " WHERE id LIKE 'orphan-%'");
    }
}
