package dev.agentsaga.crash;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.agentsaga.ActionContext;
import dev.agentsaga.AgentSaga;
import dev.agentsaga.SagaAction;
import dev.agentsaga.SagaChild;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.crash.Downstream.Kind;
import dev.agentsaga.crash.Downstream.Phase;
import dev.agentsaga.crash.RecordingActions.AlwaysFails;
import dev.agentsaga.crash.RecordingActions.Env;
import dev.agentsaga.spi.SagaObserver;
import dev.agentsaga.spi.SagaStore;
import dev.agentsaga.spi.WorkflowKey;
import dev.agentsaga.store.jdbc.JdbcSagaStore;
import dev.agentsaga.test.TestDatabase;
import dev.agentsaga.testing.ScriptedWorkflow;

/**
 * The trips of the {@link ChildSagaCrashTest}. A trip ({@value #TRIP}) reserves a budget, starts a flight
 * ({@value #FLIGHT}, step 2) and a hotel ({@value #HOTEL}, step 3) as child sagas that run in parallel, joins
 * both, and is then declined (step 4, {@link AlwaysFails}), so that it compensates: the hotel as one unit
 * (its three bookings newest first), then the flight, then the budget. Every booking is a COMPENSABLE
 * {@link Booking} that records its attempts and effects in the {@link Downstream} tables, with the moment
 * each attempt finished in {@code crash_attempt.finished} (drawn from the same sequence as the attempts'
 * ids, so begins and ends are in one order).
 *
 * <p>A node has a {@link Role}: the parents' node claims only trips, the children's nodes only flights and
 * hotels, so that a kill of the parents' node leaves the children running elsewhere. Every node registers
 * every workflow: the parents' node needs the children's to start them.
 */
final class ChildSagaTrip {

    static final String TRIP = "childTrip";

    static final String FLIGHT = "childFlight";

    static final String HOTEL = "childHotel";

    static final String RESERVE = "reserveBudget";

    static final String DECLINE = "declineTrip";

    static final List<String> FLIGHT_STEPS = List.of("holdSeat", "chargeFare", "issueTicket");

    static final List<String> HOTEL_STEPS = List.of("holdRoom", "chargeDeposit", "confirmRoom");

    /** How long the budget's reservation (and its undo) takes, against a child's booking's pause. */
    private static final Duration RESERVE_PAUSE = Duration.ofMillis(100);

    /** Which sagas a node claims. */
    enum Role {
        PARENTS(TRIP), CHILDREN(FLIGHT, HOTEL), DRIVER();

        private final Set<String> claims;

        Role(String... claims) {
            this.claims = Set.of(claims);
        }
    }

    private ChildSagaTrip() {
    }

    /** The downstream tables, with the column that orders the ends of attempts among their begins. */
    static void createTables(JdbcTemplate jdbc) {
        Downstream.createTables(jdbc);
        jdbc.execute("ALTER TABLE crash_attempt ADD COLUMN finished BIGINT");
    }

    /**
     * An engine, not started, with the three workflows and their actions: a short lease so that a killed
     * node's sagas are recovered within seconds, a quick poll and heartbeat, the default child recheck (5
     * minutes, longer than any run of the test: a parent must be woken by its children).
     */
    static SagaEngine engine(DataSource dataSource, String nodeId, Role role, int run, Duration bookingPause,
            SagaObserver observer) {
        Downstream downstream = new Downstream(dataSource, run);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        Booking reserve = new Booking(RESERVE, downstream, jdbc, RESERVE_PAUSE);
        AlwaysFails decline = new AlwaysFails(DECLINE, new Env(downstream, CrashPlan.NONE, Duration.ZERO));
        List<Booking> flight = FLIGHT_STEPS.stream().map(name -> new Booking(name, downstream, jdbc, bookingPause))
                .toList();
        List<Booking> hotel = HOTEL_STEPS.stream().map(name -> new Booking(name, downstream, jdbc, bookingPause))
                .toList();
        AgentSaga.Builder builder = AgentSaga.builder(dataSource)
                .store(claimingOnly(new JdbcSagaStore(dataSource, TestDatabase.DEFAULT_PREFIX), role.claims))
                .nodeId(nodeId)
                .leaseDuration(Duration.ofSeconds(3))
                .heartbeatInterval(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(200))
                // a kill between a child's last write and the wake of its parent leaves the parent to its recheck
                .childRecheck(ChildSagaCrashTest.CHILD_RECHECK)
                .workerThreads(16)
                .observer(observer)
                .action(reserve)
                .action(decline)
                .workflow(TRIP, new ScriptedWorkflow((input, saga) -> {
                    String budget = saga.step(reserve, input);
                    SagaChild<String> flightChild = saga.startChild(FLIGHT, budget, String.class);
                    SagaChild<String> hotelChild = saga.startChild(HOTEL, budget, String.class);
                    return saga.step(decline, flightChild.join() + "," + hotelChild.join());
                }))
                .workflow(FLIGHT, bookings(flight))
                .workflow(HOTEL, bookings(hotel));
        flight.forEach(builder::action);
        hotel.forEach(builder::action);
        return builder.build();
    }

    private static ScriptedWorkflow bookings(List<Booking> steps) {
        return new ScriptedWorkflow((input, saga) -> {
            String value = input;
            for (Booking step : steps) {
                value = saga.step(step, value);
            }
            return value;
        });
    }

    /**
     * The store, claiming only the given workflows' sagas: as a node that does not run the others, except that
     * it can start them.
     */
    @SuppressWarnings("unchecked")
    private static SagaStore claimingOnly(SagaStore store, Set<String> workflows) {
        return (SagaStore) Proxy.newProxyInstance(SagaStore.class.getClassLoader(), new Class<?>[] { SagaStore.class },
                (proxy, method, args) -> {
                    Object[] arguments = args;
                    if (method.getName().equals("claim")) {
                        arguments = args.clone();
                        arguments[1] = ((Collection<WorkflowKey>) args[1]).stream()
                                .filter(key -> workflows.contains(key.workflow())).toList();
                    }
                    try {
                        return method.invoke(store, arguments);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    /**
     * A booking: an effect deduplicated downstream by idempotency key, a pause (so that kills land inside
     * bookings and their undos), and the end of the attempt, numbered.
     */
    static final class Booking implements SagaAction<String, String> {

        private final String name;

        private final Downstream downstream;

        private final JdbcTemplate jdbc;

        private final Duration pause;

        Booking(String name, Downstream downstream, JdbcTemplate jdbc, Duration pause) {
            this.name = name;
            this.downstream = downstream;
            this.jdbc = jdbc;
            this.pause = pause;
        }

        @Override
        public String execute(String input, ActionContext ctx) throws InterruptedException {
            perform(ctx, Phase.EXECUTE, Kind.DO);
            return name + "-" + ctx.step();
        }

        @Override
        public void compensate(String input, String output, ActionContext ctx) throws InterruptedException {
            perform(ctx, Phase.COMPENSATE, Kind.UNDO);
        }

        @Override
        public String name() {
            return name;
        }

        private void perform(ActionContext ctx, Phase phase, Kind kind) throws InterruptedException {
            long attempt = downstream.begin(ctx, name, phase);
            downstream.applyOnce(ctx, name, kind);
            Thread.sleep(pause.toMillis());
            jdbc.update("UPDATE crash_attempt SET outcome = 'OK', finished = nextval('crash_attempt_id_seq') "
                    + "WHERE id = ?", attempt);
        }
    }

    /**
     * A node in a JVM of its own. Arguments: JDBC URL, node id, {@link Role}, run number, the test JVM's
     * process id, a booking's pause in milliseconds. Prints {@code node started} once its engine runs, and
     * halts when the test JVM is gone.
     */
    public static final class Node {

        public static void main(String[] args) throws Exception {
            String nodeId = args[1];
            Role role = Role.valueOf(args[2]);
            int run = Integer.parseInt(args[3]);
            Duration pause = Duration.ofMillis(Long.parseLong(args[5]));
            System.out.println("node " + nodeId + " run " + run + " claims " + role.claims);
            NodeMain.run(args[0], Long.parseLong(args[4]),
                    dataSource -> engine(dataSource, nodeId, role, run, pause, SagaObserver.NONE));
        }
    }
}
