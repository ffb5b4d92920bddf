package dev.vista.migrate;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import liquibase.Scope;
import liquibase.change.AbstractChange;
import liquibase.change.Change;
import liquibase.change.ChangeMetaData;
import liquibase.change.CheckSum;
import liquibase.change.DatabaseChange;
import liquibase.change.DatabaseChangeProperty;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;
import liquibase.database.core.PostgresDatabase;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.UnexpectedLiquibaseException;
import liquibase.executor.ExecutorService;
import liquibase.executor.LoggingExecutor;
import liquibase.resource.Resource;
import liquibase.resource.ResourceAccessor;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import liquibase.statement.SqlStatement;
import liquibase.statement.core.RawSqlStatement;

/**
 * {@code <vista:syncViews path="views/" relativeToChangelogFile="true"/>}: Vista's view sync as a Liquibase change, so
 * that stock Liquibase (its command line, its Maven plugin, Spring Boot's {@code SpringLiquibase}) applies the views
 * of {@code db/views/} as Vista's own {@code migrate} does: in dependency order, rebuilding what depends on a changed
 * view, materialized views included, bookkept in {@code vista.managed_views}.
 *
 * <p>Its statements are worked out against the live database: {@link ViewSync} runs inside a savepoint, through a
 * connection that records what it changes ({@link RecordingConnection}), and is rolled back; the recorded statements
 * are what Liquibase then runs ({@code update}) or prints ({@code update-sql}). Under {@code update-sql} the
 * changesets before this one have only been printed, so they are run first inside the same savepoint, for the plan to
 * see the tables as they will be. Its checksum is that of the view files, so with {@code runOnChange} the changeset is
 * pending exactly when a file changed what the sync does. Rolling it back does nothing: the next update syncs the
 * views again.
 *
 * <p>Under Vista's {@link Migrator} it does nothing: the migrator syncs the views itself, after every changeset, in
 * the same transaction, and Liquibase records the changeset as run, so both see the same state.
 */
@DatabaseChange(name = "syncViews", priority = ChangeMetaData.PRIORITY_DEFAULT,
        description = "Creates, rebuilds and drops views and materialized views so the database matches the SQL files of a directory (Vista)")
public class SyncViewsChange extends AbstractChange {

    /** The XML namespace of Vista's changelog elements. */
    public static final String NAMESPACE = "http://vista.dev/xml/ns/changelog";
    /** Where its schema is; Liquibase reads it from the class path, at {@code vista.dev/xml/ns/changelog/...}. */
    public static final String SCHEMA = NAMESPACE + "/vista-changelog.xsd";

    /** Set in Liquibase's scope by {@link Migrator}, which syncs the views itself. */
    static final String SYNCED_BY_MIGRATOR = "vista.viewsSyncedByMigrator";

    private String path;
    private Boolean relativeToChangelogFile;

    @DatabaseChangeProperty(description = "The directory of the view files (one SELECT per file, see Vista's README)",
            exampleValue = "views/", requiredForDatabase = "all", supportsDatabase = "postgresql")
    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    @DatabaseChangeProperty(description = "Whether path is relative to this changelog file rather than to the search path",
            requiredForDatabase = "none", supportsDatabase = "postgresql")
    public Boolean getRelativeToChangelogFile() {
        return relativeToChangelogFile;
    }

    public void setRelativeToChangelogFile(Boolean relativeToChangelogFile) {
        this.relativeToChangelogFile = relativeToChangelogFile;
    }

    @Override
    public boolean supports(Database database) {
        return database instanceof PostgresDatabase;
    }

    /** The statements depend on the database's state, not only on the change's attributes. */
    @Override
    public boolean generateStatementsVolatile(Database database) {
        return true;
    }

    /** Nothing to undo: the next update syncs the views with their files again. */
    @Override
    protected Change[] createInverses() {
        return new Change[0];
    }

    /**
     * The view files as the view sync reads them: each one's name, definition (its SELECT without comments and with
     * whitespace collapsed, kind, indexes) and comment. So the changeset (runOnChange) is pending exactly when the
     * sync has something to do on a database in step with the files before; an edit of whitespace does not count.
     */
    @Override
    public CheckSum generateCheckSum() {
        var text = new StringBuilder();
        for (var file : ChangelogSource.viewFiles(accessor(), directory())) {
            text.append(file.name()).append('\n').append(file.hash()).append('\n').append(file.comment()).append('\n');
        }
        return CheckSum.compute(text.toString());
    }

    @Override
    public String getConfirmationMessage() {
        return "Views synced with " + directory();
    }

    @Override
    public String getSerializedObjectNamespace() {
        return NAMESPACE;
    }

    @Override
    @SuppressWarnings("deprecation") // RawParameterizedSqlStatement runs as a PreparedStatement, where a view's ? operator (jsonb) is a bind marker
    public SqlStatement[] generateStatements(Database database) {
        // Liquibase also asks for the statements only to log them (Change.SHOULD_EXECUTE false): no need to plan twice.
        if (Boolean.TRUE.equals(Scope.getCurrentScope().get(SYNCED_BY_MIGRATOR, Boolean.class))
                || Boolean.FALSE.equals(Scope.getCurrentScope().get(Change.SHOULD_EXECUTE, Boolean.class))) {
            return new SqlStatement[0];
        }
        if (!(database.getConnection() instanceof JdbcConnection jdbc)) {
            throw new UnexpectedLiquibaseException("vista:syncViews works out its statements on the database itself; it needs a live "
                    + "PostgreSQL connection, not " + database.getConnection().getClass().getSimpleName());
        }
        var files = ChangelogSource.viewFiles(accessor(), directory());
        var printOnly = Scope.getCurrentScope().getSingleton(ExecutorService.class).getExecutor("jdbc", database) instanceof LoggingExecutor;
        try {
            return record(database, jdbc.getUnderlyingConnection(), files, printOnly).stream()
                    .map(RawSqlStatement::new)
                    .toArray(SqlStatement[]::new);
        } catch (SQLException e) {
            throw new UnexpectedLiquibaseException("vista:syncViews could not work out the view statements: " + e.getMessage(), e);
        }
    }

    /** What a view sync would run on this database now, worked out in a savepoint that is then rolled back. */
    private List<String> record(Database database, Connection connection, List<ViewFile> files, boolean printOnly) throws SQLException {
        var autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false);
        }
        if (!printOnly) {
            // held until Liquibase commits the changeset: a Vista migrator starting meanwhile waits, as for another one
            try (var statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(" + Migrator.LOCK + ")");
            }
        }
        var savepoint = connection.setSavepoint();
        try {
            if (printOnly) {
                runChangesetsPrintedBefore(database, connection);
            }
            var recorded = new ArrayList<String>();
            var recording = RecordingConnection.wrap(connection, recorded);
            ViewSync.createBookkeeping(recording);
            new ViewSync(recording, files).apply();
            return recorded;
        } finally {
            connection.rollback(savepoint);
            if (autoCommit) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * Runs, for real but inside the caller's savepoint, the changesets before this one that this {@code update-sql}
     * printed without running, so that the views are planned against the tables those changesets make. Which ones
     * they are, Liquibase says on each: it has executed them in this run, to its logging executor (contexts, labels
     * and what ran before all taken into account).
     */
    private void runChangesetsPrintedBefore(Database database, Connection connection) throws SQLException {
        var changeSet = getChangeSet();
        if (changeSet == null) {
            return;
        }
        for (var earlier : changeSet.getChangeLog().getRootChangeLog().getChangeSets()) {
            if (earlier == changeSet) {
                return;
            }
            if (earlier.getExecType() == ChangeSet.ExecType.EXECUTED) {
                run(earlier, database, connection);
            }
        }
    }

    private static void run(ChangeSet changeSet, Database database, Connection connection) throws SQLException {
        for (var change : changeSet.getChanges()) {
            for (var sql : SqlGeneratorFactory.getInstance().generateSql(change, database)) {
                try (var statement = connection.createStatement()) {
                    statement.execute(sql.toSql());
                } catch (SQLException e) {
                    throw new SQLException("changeset " + changeSet.toString(false) + ", which runs before the views, fails: "
                            + e.getMessage(), e.getSQLState(), e);
                }
            }
        }
    }

    private static ResourceAccessor accessor() {
        return Scope.getCurrentScope().getResourceAccessor();
    }

    /** The directory of the view files, as the resource accessor names it, ending in {@code /}. */
    private String directory() {
        if (path == null) {
            throw new UnexpectedLiquibaseException("vista:syncViews needs a path");
        }
        var directory = path;
        if (Boolean.TRUE.equals(relativeToChangelogFile) && getChangeSet() != null) {
            try {
                Resource changelog = accessor().get(getChangeSet().getChangeLog().getPhysicalFilePath());
                directory = DatabaseChangeLog.normalizePath(changelog.resolveSibling(path).getPath());
            } catch (IOException e) {
                throw new UnexpectedLiquibaseException("vista:syncViews could not find " + path + " next to "
                        + getChangeSet().getChangeLog().getPhysicalFilePath() + ": " + e.getMessage(), e);
            }
        }
        directory = directory.replace('\\', '/');
        return directory.endsWith("/") ? directory : directory + "/";
    }
}
