package dev.agentsaga.bench;

import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbos.transact.DBOS;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Workflow;
import dev.dbos.transact.workflow.WorkflowHandle;

import dev.agentsaga.bench.Workloads.Item;

/**
 * A launched DBOS Transact instance for benchmark 10 ({@link DbosBench}), its system tables in a schema of their
 * own, over a pool it closes with itself; with the workflow of the benchmark registered: {@code steps} durable no-op
 * steps, the same work as {@link Workloads.Steps}.
 */
final class DbosInstance implements AutoCloseable {

    /** Workflow functions that have returned (their output not yet necessarily committed): a diagnostic. */
    static final LongAdder RETURNED = new LongAdder();

    final HikariDataSource pool;

    final DBOS dbos;

    final DbosWorkflows workflows;

    /**
     * A DBOS instance whose data source is {@code dataSource} (the pool itself, or a proxy of it), on its tables in
     * {@code schema}, emptied first when {@code truncate}.
     */
    DbosInstance(HikariDataSource pool, DataSource dataSource, String schema, int steps, boolean truncate)
            throws SQLException {
        this.pool = pool;
        if (truncate) {
            BenchDatabase.execute(pool, "TRUNCATE \"" + schema + "\".workflow_status CASCADE");
        }
        DBOSConfig config = DBOSConfig.defaults("agent-saga-bench")
                .withDataSource(dataSource)
                .withDatabaseSchema(schema)
                // a fixed version: the same for every instance of the run, none computed at launch
                .withAppVersion("bench");
        this.dbos = new DBOS(config);
        this.workflows = dbos.registerProxy(DbosWorkflows.class, new DbosSteps(dbos, steps));
        dbos.launch();
    }

    WorkflowHandle<Item, RuntimeException> start() {
        return dbos.startWorkflow(() -> workflows.steps(Workloads.ITEM));
    }

    /** Starts a workflow and waits for its result. */
    Item run() {
        return start().getResult();
    }

    @Override
    public void close() {
        dbos.close();
        pool.close();
    }

    /** The workflow as DBOS registers it: an interface for its proxy. */
    interface DbosWorkflows {

        Item steps(Item input);
    }

    /** {@code steps} durable no-op steps, each a {@code runStep} of DBOS. */
    static final class DbosSteps implements DbosWorkflows {

        private final DBOS dbos;

        private final int steps;

        DbosSteps(DBOS dbos, int steps) {
            this.dbos = dbos;
            this.steps = steps;
        }

        @Override
        @Workflow(name = Workloads.STEPS)
        public Item steps(Item input) {
            Item item = input;
            for (int i = 0; i < steps; i++) {
                Item in = item;
                item = dbos.runStep(() -> noop(in), "noop");
            }
            RETURNED.increment();
            return item;
        }

        /** The step: nothing but its input back, as {@link Workloads.Noop}. */
        private static Item noop(Item item) {
            return item;
        }
    }
}
