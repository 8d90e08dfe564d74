package dev.agentsaga.crash;

import java.util.Optional;
import java.util.function.Function;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.SagaEngine;

/**
 * The body of a node's {@code main} in a child JVM: a pool on the JDBC URL, the engine {@code engine} builds
 * on it, started, run until the test JVM (whose process id the node was given) is gone; then the JVM halts.
 */
final class NodeMain {

    private NodeMain() {
    }

    static void run(String jdbcUrl, long parentPid, Function<DataSource, SagaEngine> engine) throws Exception {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(6);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            engine.apply(dataSource).startup();
            System.out.println("node started");
            while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(200);
            }
        }
        Runtime.getRuntime().halt(0);
    }
}
