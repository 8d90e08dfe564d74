package dev.agentsaga.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.lockservice.LockServiceFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.ClassUtils;

import dev.agentsaga.SagaStoreException;

/**
 * Applies agent-saga's Liquibase changelog to a data source, in the connection's current schema.
 * Needs {@code liquibase-core} on the class path; the engine calls it only when asked to.
 */
public final class SchemaInitializer {

    /** The changelog shipped in this jar. */
    public static final String CHANGELOG = "db/changelog/agent-saga/db.changelog-master.xml";

    /** The changelog parameter that carries the table prefix. */
    public static final String TABLE_PREFIX_PARAMETER = "agent-saga.table-prefix";

    private static final Logger log = LoggerFactory.getLogger(SchemaInitializer.class);

    private SchemaInitializer() {
    }

    /**
     * The changelog lock is a lock of the database session (liquibase-sessionlock, where it is on the class
     * path): it ends with a node that dies while migrating. A pooled connection's session outlives its
     * borrower, so a lock Liquibase left on it (it does not always release what it took when another node
     * had applied the change sets meanwhile) would block every other node for as long as the pool keeps it:
     * the connection goes back to the pool with none.
     */
    private static void releaseSessionLocks(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgresql")) {
                statement.execute("SELECT pg_advisory_unlock_all()");
            }
            else if (product.contains("mysql") || product.contains("mariadb")) {
                statement.execute("SELECT RELEASE_ALL_LOCKS()");
            }
        }
        catch (SQLException ex) {
            log.warn("Could not release the session locks of the connection that applied the agent-saga schema; "
                    + "if the changelog lock is among them, other nodes wait for it until the pool closes that "
                    + "connection: {}", ex.getMessage());
        }
    }

    /**
     * Brings the schema up to date; a no-op for change sets already applied. Engines of one JVM apply it one
     * at a time: Liquibase keeps its lock services and change-log history in JVM-wide registries, and two
     * updates of one database running side by side in one JVM were seen to both create the same table. Nodes
     * in other JVMs wait for the changelog lock in the database.
     * @throws SagaStoreException when Liquibase is missing or the update fails
     */
    public static void apply(DataSource dataSource, String tablePrefix) {
        synchronized (SchemaInitializer.class) {
            applyAlone(dataSource, tablePrefix);
        }
    }

    private static void applyAlone(DataSource dataSource, String tablePrefix) {
        if (!ClassUtils.isPresent("liquibase.Liquibase", SchemaInitializer.class.getClassLoader())) {
            throw new SagaStoreException("Applying the agent-saga schema needs liquibase-core on the class path; add it, "
                    + "or apply docs/schema-postgresql.sql (docs/schema-mysql.sql on MariaDB or MySQL) yourself and leave "
                    + "applySchema off", null);
        }
        try (Connection connection = dataSource.getConnection()) {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            // nodes that start together wait for the one applying the changelog: look again every second, not 5 or 10
            LockServiceFactory.getInstance().getLockService(database).setChangeLogLockRecheckTime(1);
            try (Liquibase liquibase = new Liquibase(CHANGELOG,
                    new ClassLoaderResourceAccessor(SchemaInitializer.class.getClassLoader()), database)) {
                liquibase.setChangeLogParameter(TABLE_PREFIX_PARAMETER, tablePrefix);
                // report progress to the log, not to standard output
                liquibase.setShowSummaryOutput(UpdateSummaryOutputEnum.LOG);
                try {
                    Scope.child(Map.of(Scope.Attr.ui.name(), new LoggerUIService()),
                            () -> liquibase.update(new Contexts(), new LabelExpression()));
                }
                finally {
                    // before Liquibase closes the connection, which gives it back to its pool
                    releaseSessionLocks(connection);
                }
            }
        }
        catch (SQLException | LiquibaseException ex) {
            throw new SagaStoreException("Could not apply the agent-saga schema: " + ex.getMessage(), null, null, ex);
        }
        catch (Exception ex) {
            throw new SagaStoreException("Could not apply the agent-saga schema: " + ex.getMessage(), null, null, ex);
        }
    }
}
