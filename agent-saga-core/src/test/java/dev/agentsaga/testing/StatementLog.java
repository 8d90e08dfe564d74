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
 * chosen statements fail, as a database outage would.
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

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    private volatile String failingFragment;

    private volatile String failingState = "08006";

    private final java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger();

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
    }

    /**
     * Makes the next {@code times} executions of statements containing {@code fragment} fail with the
     * given SQLState: a class 08 state reads as a lost connection (which the store retries), another
     * as an error that stays.
     */
    public void failNext(String fragment, int times, String sqlState) {
        failingState = sqlState;
        failingFragment = fragment;
        failuresLeft.set(times);
    }

    /** What was recorded on threads whose name passes the filter. */
    public List<Entry> entries(Predicate<String> threads) {
        return entries.stream().filter(entry -> threads.test(entry.thread())).toList();
    }

    private Connection connection(Connection target) {
        boolean[] autoCommit = { true };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "setAutoCommit" -> autoCommit[0] = (Boolean) args[0];
                        case "commit" -> entries.add(new Entry(Thread.currentThread().getName(), "COMMIT", true));
                        default -> {
                        }
                    }
                    Object result = invoke(target, method, args);
                    if (result instanceof PreparedStatement statement && args != null && args[0] instanceof String sql) {
                        return statement(statement, sql, autoCommit);
                    }
                    if (result instanceof Statement statement && !(result instanceof PreparedStatement)) {
                        return result;
                    }
                    return result;
                });
    }

    private PreparedStatement statement(PreparedStatement target, String sql, boolean[] autoCommit) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                String failing = failingFragment;
                if (failing != null && sql.contains(failing) && failuresLeft.getAndDecrement() > 0) {
                    throw new java.sql.SQLException("injected failure", failingState);
                }
                boolean write = !sql.stripLeading().toUpperCase(Locale.ROOT).startsWith("SELECT");
                entries.add(new Entry(Thread.currentThread().getName(), sql, write && autoCommit[0]));
            }
            return invoke(target, method, args);
        };
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { PreparedStatement.class }, handler);
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
