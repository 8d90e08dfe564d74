package dev.agentsaga.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import javax.sql.DataSource;

/**
 * A data source wrapper that records every statement executed and every commit, with the thread that
 * did it, so tests can count the round trips and commits of the engine's hot path; it can also make
 * chosen statements fail, as a database outage would. It also records every SQL error the database
 * answered (a deadlock, a constraint), retried or not, so tests can assert that none happened.
 */
public final class StatementLog {

    /** One round trip to the database. */
    public record Entry(String thread, String sql, boolean commit) {

        /** Whether this entry made something durable: an explicit commit, or a write in auto-commit. */
        public boolean isCommit() {
            return commit;
        }

        public boolean isRead() {
            return !commit && sql.stripLeading().toUpperCase(Locale.ROOT).startsWith("SELECT");
        }

        public boolean touches(String table) {
            return sql.contains(table);
        }
    }

    /** An error the database answered to a statement or a commit (injected failures are not recorded). */
    public record Failure(String thread, String sql, String sqlState, String message) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    private final List<Failure> failures = new CopyOnWriteArrayList<>();

    private volatile String failingFragment;

    private volatile String failingState = "08006";

    private final java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger();

    /** Whether an injected failure also loses the statement's connection. */
    private volatile boolean losingConnection;

    private volatile boolean afterExecuting;

    private final DataSource dataSource;

    public StatementLog(DataSource target) {
        this.dataSource = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    return method.getName().equals("getConnection") ? connection((Connection) result) : result;
                });
    }

    /** The data source to hand to the engine. */
    public DataSource dataSource() {
        return dataSource;
    }

    public void clear() {
        entries.clear();
        failures.clear();
    }

    /** The SQL errors the database answered since the last {@link #clear()}, in order. */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /**
     * Makes the next {@code times} executions of statements containing {@code fragment} fail with the
     * given SQLState: a class 08 state reads as a lost connection (which the store retries), another
     * as an error that stays.
     */
    public void failNext(String fragment, int times, String sqlState) {
        failNext(fragment, times, sqlState, false);
    }

    /**
     * Makes the next {@code times} executions of statements containing {@code fragment} fail as a connection
     * the database dropped (SQLState 08006), and the connection unusable afterwards: every call on it but
     * {@code close} then fails as on a connection the pool closed (HikariCP's "Connection is closed", which
     * has no SQLState), the rollback of its transaction too.
     */
    public void loseConnectionAtNext(String fragment, int times) {
        failNext(fragment, times, "08006", true);
    }

    /**
     * Makes the next {@code times} executions of statements containing {@code fragment} take effect (in
     * auto-commit: commit) and then fail as a connection the database dropped, with the connection lost as in
     * {@link #loseConnectionAtNext}: a commit whose acknowledgement never reached the application.
     */
    public void loseAcknowledgementOfNext(String fragment, int times) {
        failNext(fragment, times, "08006", true);
        afterExecuting = true;
    }

    private void failNext(String fragment, int times, String sqlState, boolean losingConnection) {
        failingState = sqlState;
        afterExecuting = false;
        this.losingConnection = losingConnection;
        failingFragment = fragment;
        failuresLeft.set(times);
    }

    /** How many of the failures asked for with {@link #failNext} are still to come. */
    public int injectedFailuresLeft() {
        return Math.max(0, failuresLeft.get());
    }

    /** What was recorded on threads whose name passes the filter. */
    public List<Entry> entries(Predicate<String> threads) {
        return entries.stream().filter(entry -> threads.test(entry.thread())).toList();
    }

    private Connection connection(Connection target) {
        boolean[] autoCommit = { true };
        boolean[] lost = { false };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                (proxy, method, args) -> {
                    if (lost[0] && !method.getName().equals("close")) {
                        throw new java.sql.SQLException("Connection is closed");
                    }
                    switch (method.getName()) {
                        case "setAutoCommit" -> autoCommit[0] = (Boolean) args[0];
                        case "commit" -> entries.add(new Entry(Thread.currentThread().getName(), "COMMIT", true));
                        default -> {
                        }
                    }
                    Object result = method.getName().equals("commit") ? recorded("COMMIT", target, method, args)
                            : invoke(target, method, args);
                    if (result instanceof PreparedStatement statement && args != null && args[0] instanceof String sql) {
                        return statement(statement, sql, autoCommit, lost);
                    }
                    if (result instanceof Statement statement && !(result instanceof PreparedStatement)) {
                        return result;
                    }
                    return result;
                });
    }

    private PreparedStatement statement(PreparedStatement target, String sql, boolean[] autoCommit,
            boolean[] lost) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                String failing = failingFragment;
                if (failing != null && sql.contains(failing) && failuresLeft.getAndDecrement() > 0) {
                    if (afterExecuting) {
                        invoke(target, method, args);
                    }
                    lost[0] = losingConnection;
                    throw new java.sql.SQLException("injected failure", failingState);
                }
                boolean write = !sql.stripLeading().toUpperCase(Locale.ROOT).startsWith("SELECT");
                entries.add(new Entry(Thread.currentThread().getName(), sql, write && autoCommit[0]));
                return recorded(sql, target, method, args);
            }
            return invoke(target, method, args);
        };
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { PreparedStatement.class }, handler);
    }

    private Object recorded(String sql, Object target, Method method, Object[] args) throws Throwable {
        try {
            return invoke(target, method, args);
        }
        catch (java.sql.SQLException ex) {
            String state = ex.getSQLState();
            // a batch reports the statement that failed as its next exception
            if (ex.getNextException() != null && ex.getNextException().getSQLState() != null) {
                state = ex.getNextException().getSQLState();
            }
            failures.add(new Failure(Thread.currentThread().getName(), sql, String.valueOf(state), ex.getMessage()));
            throw ex;
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        }
        catch (InvocationTargetException ex) {
            throw ex.getCause();
        }
    }
}
