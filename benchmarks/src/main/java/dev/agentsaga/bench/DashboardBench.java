package dev.agentsaga.bench;

import static dev.agentsaga.bench.Results.f;
import static dev.agentsaga.bench.Results.median;
import static dev.agentsaga.bench.Results.ms;
import static dev.agentsaga.bench.Results.ratio;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaQuery;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.bench.Results.Log;
import dev.agentsaga.dashboard.SagaDashboard;

/**
 * 6. Dashboard: the web dashboard's pages over 1,000,000 sagas, timed at the server (a filter ahead of
 * all others, to the last byte of the page) in a Spring Boot application with the starter and the
 * dashboard, beside the query each page cannot do without: the list page beside the list query alone
 * ({@code SagaCoordinator.list}, first page of 25), a saga's page beside {@code find}.
 */
final class DashboardBench {

    private static final int PAGE = 25;

    private final BenchDatabase db;

    private final BenchOptions options;

    private final Results results;

    private final HttpClient http = HttpClient.newHttpClient();

    DashboardBench(BenchDatabase db, BenchOptions options, Results results) {
        this.db = db;
        this.options = options;
        this.results = results;
    }

    void run() throws Exception {
        int sagas = options.count(1_000_000);
        Log.info("6. dashboard: %,d sagas", sagas);
        try (HikariDataSource pool = db.pool("dashboard", 2)) {
            db.truncate(pool);
            long t0 = System.nanoTime();
            bulkLoad(pool, sagas);
            String newest = "dash-" + sagas;
            journal(pool, newest);
            BenchDatabase.execute(pool, "VACUUM ANALYZE " + BenchDatabase.INSTANCE);
            BenchDatabase.execute(pool, "VACUUM ANALYZE " + BenchDatabase.STEP);
            Log.info("  loaded %,d sagas in %.1f s", BenchDatabase.queryLong(pool, "SELECT COUNT(*) FROM "
                    + BenchDatabase.INSTANCE), (System.nanoTime() - t0) / 1e9);
            try (ConfigurableApplicationContext app = start()) {
                measure(app, sagas, newest);
            }
            db.truncate(pool);
        }
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(DashboardBenchApplication.class).properties(
                "spring.datasource.url=" + db.schemaUrl(),
                "spring.datasource.hikari.maximum-pool-size=10",
                "spring.main.banner-mode=off",
                "server.port=0",
                "logging.level.root=WARN",
                "agent.saga.schema.initialize=false",
                "agent.saga.dashboard.enabled=true").run();
    }

    private void measure(ConfigurableApplicationContext app, int sagas, String newest) throws Exception {
        int port = Objects.requireNonNull(((WebServerApplicationContext) app).getWebServer(), "no web server").getPort();
        String base = "http://127.0.0.1:" + port + "/agent-saga";
        SagaCoordinator coordinator = app.getBean(SagaCoordinator.class);
        SagaDashboard dashboard = app.getBean(SagaDashboard.class);
        DashboardBenchApplication.ServerTimer timer = app.getBean(DashboardBenchApplication.ServerTimer.class);
        int n = Math.max(20, options.count(300));
        String note = f("%,d sagas (96%% COMPLETED); medians of %d requests, each after its baseline, after as many "
                + "to warm up", sagas, n);

        Figure list = interleaved(timer, "list", base, n, () -> coordinator.list(SagaQuery.all().withPage(0, PAGE)),
                () -> dashboard.counts(null));
        results.add("6", f("dashboard list page, %,d sagas: ms at the server", sagas), ms(list.server()),
                ms(list.baseline(0)) + " the list query alone", ratio(list.server(), list.baseline(0)),
                note + f("; the page is the list query, 9 status counts (%s together) and the template; "
                        + "%s in all seen by the client on loopback, %,d bytes", ms(list.baseline(1)),
                        ms(list.client()), list.bytes()));

        Figure attention = interleaved(timer, "attention", base + "?status=NEEDS_ATTENTION", n,
                () -> coordinator.list(SagaQuery.all().withStatuses(SagaStatus.NEEDS_ATTENTION).withPage(0, PAGE)));
        results.add("6", "dashboard list page filtered on NEEDS_ATTENTION (0.5% of sagas)", ms(attention.server()),
                ms(attention.baseline(0)) + " the list query alone", ratio(attention.server(), attention.baseline(0)),
                note);

        Figure deep = interleaved(timer, "deep", base + "?page=100", n,
                () -> coordinator.list(SagaQuery.all().withPage(100, PAGE)));
        results.add("6", "dashboard list page 101 (offset 2,500)", ms(deep.server()),
                ms(deep.baseline(0)) + " the list query alone", ratio(deep.server(), deep.baseline(0)), note);

        Figure saga = interleaved(timer, "saga", base + "/sagas/" + newest, n, () -> coordinator.find(newest));
        results.add("6", "dashboard saga page (11 steps: timeline, conversation, steps)", ms(saga.server()),
                ms(saga.baseline(0)) + " `find(id)` alone", ratio(saga.server(), saga.baseline(0)),
                note + f("; %,d bytes", saga.bytes()));

        Figure inbox = interleaved(timer, "inbox", base + "/inbox", Math.max(10, n / 5), dashboard::inbox);
        results.add("6", "dashboard inbox (100 WAITING looked at, 50 NEEDS_ATTENTION, 50 COMPENSATION_FAILED)",
                ms(inbox.server()), ms(inbox.baseline(0)) + " its data alone (`SagaDashboard.inbox()`)",
                ratio(inbox.server(), inbox.baseline(0)),
                "a list query per section and a `find` per saga shown or looked at (200)");

        Figure asset = interleaved(timer, "asset", base + "/assets/dashboard.css", n);
        results.add("6", "the style sheet: the floor of a request", ms(asset.server()), "", "",
                f("%s seen by the client", ms(asset.client())));
    }

    private record Figure(double server, double client, double[] baselines, int bytes) {

        double baseline(int i) {
            return baselines[i];
        }
    }

    /**
     * Warms up with {@code n} rounds, then times {@code n} more; each round calls the baselines, then asks for
     * the page, so that a machine that gets busier slows both alike.
     */
    private Figure interleaved(DashboardBenchApplication.ServerTimer timer, String name, String url, int n,
            Supplier<?>... baselines) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("X-Bench", name).GET().build();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            for (Supplier<?> baseline : baselines) {
                baseline.get();
            }
            bytes = get(request).length();
        }
        timer.take(name);
        double[] client = new double[n];
        double[][] base = new double[baselines.length][n];
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < baselines.length; b++) {
                long t0 = System.nanoTime();
                baselines[b].get();
                base[b][i] = (System.nanoTime() - t0) / 1e6;
            }
            long t0 = System.nanoTime();
            get(request);
            client[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] medians = new double[baselines.length];
        for (int b = 0; b < baselines.length; b++) {
            medians[b] = median(base[b]);
        }
        return new Figure(median(timer.take(name)), median(client), medians, bytes);
    }

    private String get(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    /**
     * Bulk-loads finished and waiting sagas of three workflows, newest last, one a second: 96% COMPLETED,
     * 2% COMPENSATED, 1% FAILED, 0.5% NEEDS_ATTENTION, 0.1% COMPENSATION_FAILED, 0.3% WAITING and a few
     * RUNNING, PENDING and COMPENSATING, all of a version no engine runs (so none is claimed).
     */
    private static void bulkLoad(HikariDataSource pool, int sagas) throws Exception {
        BenchDatabase.execute(pool, """
                INSERT INTO %s (id, workflow, workflow_version, status, input, output, error, cancel_requested,
                                lease_epoch, created_at, updated_at)
                SELECT 'dash-' || g, (ARRAY['trip', 'refund', 'support'])[1 + g %% 3], '9', s.status,
                       '"Goal of saga ' || g || ': 3 nights in Lisbon in May under 1500 EUR"',
                       CASE s.status WHEN 'COMPLETED' THEN '"Booked flight TP941 and 3 nights at Hotel Avenida"' END,
                       CASE WHEN s.status IN ('NEEDS_ATTENTION', 'COMPENSATION_FAILED', 'COMPENSATED', 'FAILED')
                            THEN 'Step 4 (chargeCard) of saga dash-' || g || ' failed: card declined' END,
                       FALSE, 1, now() - (%d - g) * interval '1 second', now() - (%d - g) * interval '1 second'
                FROM generate_series(1, %d) AS g,
                     LATERAL (SELECT CASE WHEN g %% 1000 < 5 THEN 'NEEDS_ATTENTION'
                                          WHEN g %% 1000 = 5 THEN 'COMPENSATION_FAILED'
                                          WHEN g %% 1000 < 26 THEN 'COMPENSATED'
                                          WHEN g %% 1000 < 36 THEN 'FAILED'
                                          WHEN g %% 1000 < 39 THEN 'WAITING'
                                          WHEN g %% 1000 = 39 THEN 'RUNNING'
                                          WHEN g %% 1000 = 40 THEN 'PENDING'
                                          WHEN g %% 1000 = 41 THEN 'COMPENSATING'
                                          ELSE 'COMPLETED' END AS status) AS s""".formatted(BenchDatabase.INSTANCE,
                sagas, sagas, sagas));
    }

    /** The journal of an agent saga of 11 steps: six model turns and five tool calls. */
    private static void journal(HikariDataSource pool, String sagaId) throws Exception {
        String[] tools = { "searchFlights", "searchHotels", "bookFlight", "bookHotel", "chargeCard" };
        Instant start = Instant.now().minusSeconds(30);
        try (Connection c = pool.getConnection(); PreparedStatement insert = c.prepareStatement("INSERT INTO "
                + BenchDatabase.STEP + " (saga_id, seq, name, kind, reversibility, status, input, output, attempts, "
                + "started_at, finished_at, compensation_attempts, input_tokens, output_tokens) "
                + "VALUES (?, ?, ?, ?, ?, 'SUCCEEDED', ?, ?, 1, ?, ?, 0, ?, ?)")) {
            int seq = 0;
            for (int turn = 0; turn <= tools.length; turn++) {
                String call = turn < tools.length ? "{\"id\":\"call_" + turn + "\",\"name\":\"" + tools[turn]
                        + "\",\"arguments\":\"{\\\"city\\\":\\\"Lisbon\\\",\\\"date\\\":\\\"2027-05-14\\\"}\"}" : "";
                step(insert, sagaId, ++seq, "model", "LLM", null, null, "{\"text\":\"Turn " + turn + "\",\"toolCalls\":["
                        + call + "],\"finishReason\":\"STOP\",\"model\":\"gpt-5-mini\",\"inputTokens\":900,"
                        + "\"outputTokens\":60}", start.plusMillis(seq * 900L), 800, 900, 60);
                if (turn < tools.length) {
                    step(insert, sagaId, ++seq, tools[turn], "ACTION", turn < 2 ? "READ_ONLY" : "COMPENSABLE",
                            "{\"city\":\"Lisbon\",\"date\":\"2027-05-14\"}",
                            "{\"bookingId\":\"B-" + seq + "\",\"priceEur\":240}", start.plusMillis(seq * 900L), 120,
                            null, null);
                }
            }
            insert.executeBatch();
        }
    }

    private static void step(PreparedStatement insert, String sagaId, int seq, String name, String kind,
            @Nullable String reversibility, @Nullable String input, String output, Instant started, long millis,
            @Nullable Integer inputTokens, @Nullable Integer outputTokens) throws Exception {
        insert.setString(1, sagaId);
        insert.setInt(2, seq);
        insert.setString(3, name);
        insert.setString(4, kind);
        insert.setString(5, reversibility);
        insert.setString(6, input);
        insert.setString(7, output);
        insert.setTimestamp(8, Timestamp.from(started));
        insert.setTimestamp(9, Timestamp.from(started.plusMillis(millis)));
        insert.setObject(10, inputTokens);
        insert.setObject(11, outputTokens);
        insert.addBatch();
    }
}
