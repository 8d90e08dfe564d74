package dev.agentsaga.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

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
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

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

    private SchemaInitializer() {
    }

    /**
     * Brings the schema up to date; a no-op for change sets already applied.
     * @throws SagaStoreException when Liquibase is missing or the update fails
     */
    public static void apply(DataSource dataSource, String tablePrefix) {
        try {
            Class.forName("liquibase.Liquibase", false, SchemaInitializer.class.getClassLoader());
        }
        catch (ClassNotFoundException ex) {
            throw new SagaStoreException("Applying the agent-saga schema needs liquibase-core on the class path; add it, "
                    + "or apply docs/schema-postgresql.sql (docs/schema-mysql.sql on MariaDB or MySQL) yourself and leave "
                    + "applySchema off", null);
        }
        try (Connection connection = dataSource.getConnection()) {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            try (Liquibase liquibase = new Liquibase(CHANGELOG,
                    new ClassLoaderResourceAccessor(SchemaInitializer.class.getClassLoader()), database)) {
                liquibase.setChangeLogParameter(TABLE_PREFIX_PARAMETER, tablePrefix);
                // report progress to the log, not to standard output
                liquibase.setShowSummaryOutput(UpdateSummaryOutputEnum.LOG);
                Scope.child(Map.of(Scope.Attr.ui.name(), new LoggerUIService()),
                        () -> liquibase.update(new Contexts(), new LabelExpression()));
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
