package dev.agentsaga.bench;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * A data source that counts what goes over the wire: statements executed (each one a round trip),
 * statements that only read, and transactions (an auto-commit statement or an explicit commit).
 * Used in an untimed pass to count round trips per workflow.
 */
final class CountingDataSource implements DataSource {

    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate",
            "executeBatch", "executeLargeBatch");

    final LongAdder statements = new LongAdder();

    final LongAdder reads = new LongAdder();

    final LongAdder commits = new LongAdder();

    /** Statements executed, by the first words of their SQL. */
    final java.util.concurrent.ConcurrentMap<String, LongAdder> byKind = new java.util.concurrent.ConcurrentHashMap<>();

    private final DataSource target;

    CountingDataSource(DataSource target) {
        this.target = target;
    }

    void reset() {
        statements.reset();
        reads.reset();
        commits.reset();
        byKind.clear();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(target.getConnection(username, password));
    }

    private Connection wrap(Connection connection) {
        boolean[] autoCommit = { true };
        try {
            autoCommit[0] = connection.getAutoCommit();
        }
        catch (SQLException ex) {
            // keep the default
        }
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            if (name.equals("setAutoCommit")) {
                autoCommit[0] = (Boolean) args[0];
            }
            else if (name.equals("commit")) {
                commits.increment();
            }
            Object result = invoke(connection, method, args);
            if (result instanceof Statement statement) {
                String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : null;
                return statement(statement, sql, autoCommit);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                handler);
    }

    private Object statement(Statement statement, @Nullable String preparedSql, boolean[] autoCommit) {
        Class<?> type = statement instanceof java.sql.CallableStatement ? java.sql.CallableStatement.class
                : statement instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
        InvocationHandler handler = (proxy, method, args) -> {
            if (EXECUTES.contains(method.getName())) {
                statements.increment();
                String sql = preparedSql != null ? preparedSql
                        : args != null && args.length > 0 && args[0] instanceof String text ? text : "";
                byKind.computeIfAbsent(kind(sql), k -> new LongAdder()).increment();
                if (sql.stripLeading().regionMatches(true, 0, "SELECT", 0, 6)) {
                    reads.increment();
                }
                if (autoCommit[0]) {
                    commits.increment();
                }
            }
            return invoke(statement, method, args);
        };
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type }, handler);
    }

    /** The first three words of a statement, e.g. {@code INSERT INTO agent_saga_step}. */
    static String kind(String sql) {
        String[] words = sql.strip().split("\\s+", 4);
        return String.join(" ", java.util.Arrays.copyOf(words, Math.min(3, words.length)));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        }
        catch (InvocationTargetException ex) {
            throw ex.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || target.isWrapperFor(iface);
    }
}
