package dev.agentsaga.test;

import java.nio.file.Path;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaEngine;

/**
 * A node of the trip in a process of its own: the engine the kit's environments build (node id
 * {@value SagaTestEnvironment#NODE_ID}, a {@link TestClock}, 10 ms polls, a one-hour lease) with the trip
 * on a {@link Ledger} kept in a file. Run as a main class in a {@link ChildJvm}, it starts a trip under a
 * given id with a crash point that halts the JVM after the effect of {@code bookHotel}.
 */
final class TripNode {

    /** The action after whose effect the child JVM halts. */
    static final String CRASH_AFTER_EFFECT_OF = "bookHotel";

    /** The destination of the trip it starts. */
    static final String DESTINATION = "Lisbon";

    /** The exit code of a child whose saga completed without reaching the crash point. */
    static final int COMPLETED_WITHOUT_CRASH = 3;

    private TripNode() {
    }

    /** The engine of a node on {@code dataSource}, with the trip registered. */
    static AgentSaga.Builder engine(DataSource dataSource, String tablePrefix, Trip trip) {
        AgentSaga.Builder builder = AgentSaga.builder(dataSource).nodeId(SagaTestEnvironment.NODE_ID)
                .clock(new TestClock()).pollInterval(Duration.ofMillis(10)).leaseDuration(Duration.ofHours(1))
                .tablePrefix(tablePrefix);
        trip.register(builder);
        return builder;
    }

    /** A pool on the database a JDBC URL (with credentials) names. */
    static HikariDataSource dataSource(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    /** Arguments: the JDBC URL, the table prefix, the saga id, the ledger's file. */
    public static void main(String[] args) {
        String jdbcUrl = args[0];
        String tablePrefix = args[1];
        String sagaId = args[2];
        Path ledger = Path.of(args[3]);
        Crashes crashes = Crashes.haltingTheJvm().afterEffectOf(CRASH_AFTER_EFFECT_OF);
        SagaEngine engine = engine(dataSource(jdbcUrl), tablePrefix, new Trip(Ledger.inFile(ledger)))
                .observer(crashes.observer()).build();
        engine.startup();
        String output = engine.start(Trip.WORKFLOW, DESTINATION, sagaId).awaitOutput(String.class,
                Duration.ofSeconds(30));
        System.out.println("The trip completed without a crash: " + output);
        System.exit(COMPLETED_WITHOUT_CRASH);
    }
}
