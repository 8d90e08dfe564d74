package dev.agentsaga.test;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * One engine's view of the test database, which dies with the engine: once {@link #kill() killed},
 * every call on it, on a connection it handed out or on a statement of one fails, as the database
 * calls of a process that was killed never happen. The SQL state is not one the store retries, so the
 * engine gives up at once.
 */
final class KillableDataSource implements DataSource {

    private static final String GONE = "XX000";

    private final DataSource target;

    private volatile boolean killed;

    KillableDataSource(DataSource target) {
        this.target = target;
    }

    void kill() {
        killed = true;
    }

    boolean killed() {
        return killed;
    }

    @Override
    public Connection getConnection() throws SQLException {
        alive();
        return wrap(target.getConnection(), Connection.class);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        alive();
        return wrap(target.getConnection(username, password), Connection.class);
    }

    private void alive() throws SQLException {
        if (killed) {
            throw new SQLException("The engine's process was killed (an in-process crash of the test kit)", GONE);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T wrap(T object, Class<T> type) {
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            if (!method.getName().equals("close")) {
                alive();
            }
            Object result;
            try {
                result = method.invoke(object, args);
            }
            catch (InvocationTargetException ex) {
                throw ex.getCause();
            }
            if (result instanceof Statement statement && method.getReturnType().isInterface()) {
                return wrap(statement, (Class<Statement>) method.getReturnType());
            }
            return result;
        });
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
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("Not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
