package dev.agentsaga.test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * One engine's view of the test database, which dies with the engine: once {@link #kill() killed},
 * every call on it, on a connection it handed out or on a statement of one fails, as the database
 * calls of a process that was killed never happen. The SQL state is not one the store retries, so the
 * engine gives up at once.
 */
final class KillableDataSource extends DelegatingDataSource {

    private static final String GONE = "XX000";

    private volatile boolean killed;

    KillableDataSource(DataSource target) {
        super(target);
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
        return wrap(super.getConnection(), Connection.class);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        alive();
        return wrap(super.getConnection(username, password), Connection.class);
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
}
