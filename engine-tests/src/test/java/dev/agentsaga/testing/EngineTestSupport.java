package dev.agentsaga.testing;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.json.JsonMapper;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepView;
import dev.agentsaga.test.TestDatabase;

/**
 * The base of the engine tests: one schema per test class with an {@link EffectLedger}, engines built
 * with fast polling and short leases and shut down after each test, and helpers to wait for a status
 * and to look at the tables. Tests of one class share the schema, so each test uses workflow names of
 * its own (an engine claims every runnable saga of the workflows it runs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EngineTestSupport {

    /** How long a test waits for a saga to reach a status. */
    protected static final Duration WAIT = Duration.ofSeconds(10);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    protected TestDatabase schema;

    protected EffectLedger ledger;

    private final List<SagaEngine> engines = new CopyOnWriteArrayList<>();

    @BeforeAll
    protected void createSchema() {
        schema = TestDatabase.postgresql();
        ledger = EffectLedger.create(schema.dataSource());
    }

    @AfterAll
    protected void dropSchema() {
        if (schema != null) {
            schema.close();
        }
    }

    @AfterEach
    protected void shutDownEngines() {
        for (SagaEngine engine : engines) {
            if (engine.isRunning()) {
                engine.shutdown(Duration.ofSeconds(2));
            }
        }
        engines.clear();
    }

    /** A builder on the test schema with a 100 ms poll interval and a 2 s lease. */
    protected AgentSaga.Builder engineBuilder() {
        return AgentSaga.builder(schema.dataSource())
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(2));
    }

    /** Builds and starts the engine; it is shut down after the test. */
    protected SagaEngine started(AgentSaga.Builder builder) {
        SagaEngine engine = builder.build();
        engines.add(engine);
        engine.startup();
        return engine;
    }

    /** The saga, which must exist. */
    protected static SagaView view(SagaCoordinator engine, String sagaId) {
        Optional<SagaView> view = engine.find(sagaId);
        if (view.isEmpty()) {
            throw new AssertionError("saga " + sagaId + " was not found");
        }
        return view.get();
    }

    /**
     * Waits until the saga is in {@code expected}; fails with its last status and error otherwise (at once
     * when it reached a terminal status other than the expected one).
     */
    protected static SagaView awaitStatus(SagaCoordinator engine, String sagaId, SagaStatus expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        SagaView last = null;
        while (System.nanoTime() < deadline) {
            last = engine.find(sagaId).orElse(null);
            if (last != null && last.status() == expected) {
                return last;
            }
            if (last != null && last.status().isTerminal()) {
                break;
            }
            pause(Duration.ofMillis(25));
        }
        throw new AssertionError("saga " + sagaId + " did not reach " + expected + " within " + WAIT + "; it is "
                + (last == null ? "absent" : last.status() + " with error " + last.error()));
    }

    /** The step with sequence {@code seq}, which must exist. */
    protected static StepView step(SagaView view, int seq) {
        return view.steps().stream()
                .filter(s -> s.seq() == seq)
                .findFirst()
                .orElseThrow(() -> new AssertionError("saga " + view.id() + " has no step " + seq + ": " + view.steps()));
    }

    /** The first step named {@code name}, which must exist. */
    protected static StepView step(SagaView view, String name) {
        return view.steps().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("saga " + view.id() + " has no step " + name + ": " + view.steps()));
    }

    /** Decodes a JSON payload of a view. */
    protected static <T> T decode(String json, Class<T> type) {
        return JSON.readValue(json, type);
    }

    /** A template on the test schema. */
    protected JdbcTemplate jdbc() {
        return schema.jdbc();
    }

    /** How many rows of the {@code instance} table have this id. */
    protected int instanceRows(String sagaId) {
        return count("SELECT count(*) FROM " + schema.tablePrefix() + "instance WHERE id = ?", sagaId);
    }

    /** How many rows the {@code instance} table has. */
    protected int instanceRows() {
        return count("SELECT count(*) FROM " + schema.tablePrefix() + "instance");
    }

    /** How many journal rows the saga has. */
    protected int stepRows(String sagaId) {
        return count("SELECT count(*) FROM " + schema.tablePrefix() + "step WHERE saga_id = ?", sagaId);
    }

    /** How many signal rows the saga has. */
    protected int signalRows(String sagaId) {
        return count("SELECT count(*) FROM " + schema.tablePrefix() + "signal WHERE saga_id = ?", sagaId);
    }

    private int count(String sql, Object... args) {
        Integer count = jdbc().queryForObject(sql, Integer.class, args);
        return count == null ? 0 : count;
    }

    protected static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }
}
