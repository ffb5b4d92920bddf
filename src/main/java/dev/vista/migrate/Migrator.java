package dev.vista.migrate;

import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.resource.Resource;
import liquibase.ui.LoggerUIService;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Brings a database up to date with {@code db/}: the versioned table changesets through Liquibase, then the
 * views and materialized views through {@link ViewSync}, all in one transaction under one advisory lock.
 * The build (code generation), the app at start-up and {@code vista migrate} all call this.
 *
 * <p>Stock Liquibase applies the same changelog, the views through {@link SyncViewsChange}, one changeset after the
 * other. Here that change only marks its changeset as run, and the view sync runs after every changeset instead, so
 * that tables and views change together and a table change that views block can drop them and rebuild them.
 */
public final class Migrator {

    /** What a migration did (or, for a plan, would do). */
    public record Result(List<String> changesets, List<String> create, List<String> replace, List<String> sideBySide,
                         List<String> drop, List<String> repopulate, List<String> comment, List<String> drifted, Duration took) {

        public boolean changedNothing() {
            return changesets.isEmpty() && create.isEmpty() && replace.isEmpty() && drop.isEmpty() && comment.isEmpty();
        }

        /** One line per kind of change, e.g. {@code replace: visits_summary, daily_totals}; none when up to date. */
        public List<String> lines() {
            var lines = new ArrayList<String>();
            add(lines, "changesets", changesets);
            add(lines, "create", create);
            add(lines, "replace", replace);
            add(lines, "build side by side, then swap in", sideBySide);
            add(lines, "drop", drop);
            add(lines, "repopulate", repopulate);
            add(lines, "comment", comment);
            add(lines, "drifted (edited by hand)", drifted);
            return lines;
        }

        public String summary() {
            return changedNothing() ? "up to date" : String.join("; ", lines());
        }

        private static void add(List<String> parts, String label, List<String> names) {
            if (!names.isEmpty()) {
                parts.add(label + ": " + String.join(", ", names));
            }
        }
    }

    /** One lock for every Vista migrator on a database: a second one waits, then finds nothing left to do. */
    static final long LOCK = 0x5649535441L; // "VISTA"

    // Liquibase reports through java.util.logging; its per-changeset INFO lines are noise next to our summary.
    private static final Logger LIQUIBASE_LOG = Logger.getLogger("liquibase");

    static {
        LIQUIBASE_LOG.setLevel(Level.WARNING);
        // Liquibase OSS phones home for its analytics by default; a migration must not wait on the network.
        if (System.getProperty("liquibase.analytics.enabled") == null) {
            System.setProperty("liquibase.analytics.enabled", "false");
        }
    }

    private final DataSource dataSource;
    private final ChangelogSource source;

    public Migrator(DataSource dataSource, ChangelogSource source) {
        this.dataSource = dataSource;
        this.source = source;
    }

    /** Applies everything, or nothing. */
    public Result migrate() {
        return run(true);
    }

    /** Works out what {@link #migrate()} would do, in a transaction that is then rolled back. */
    public Result plan() {
        return run(false);
    }

    private Result run(boolean apply) {
        var started = System.nanoTime();
        var files = source.viewFiles();
        try (var pooled = dataSource.getConnection()) {
            pooled.setAutoCommit(false);
            var connection = driverConnection(pooled);
            try {
                var dsl = DSL.using(connection, SQLDialect.POSTGRES);
                dsl.select(function("pg_advisory_xact_lock", Object.class, val(LOCK))).fetch();
                ViewSync.createBookkeeping(connection);
                var views = new ViewSync(connection, files);
                // Liquibase takes seconds to start in a fresh JVM; when db/ is byte for byte the one last applied here,
                // there is nothing for it to do, and start-up skips it. The views count: when one changed, Liquibase
                // records the sync-views changeset as run again (with the files' checksum), so its status agrees.
                var fingerprint = changelogFingerprint();
                List<ChangeSet> pending = List.of();
                if (!apply || !fingerprint.equals(appliedFingerprint(dsl))) {
                    pending = applyChangesets(connection, views);
                    if (apply) {
                        rememberFingerprint(dsl, fingerprint);
                    }
                }
                var plan = apply ? views.apply() : views.plan();
                // What the sync-views changeset does is told view by view below; it is named only when it has nothing
                // else to tell (Liquibase's record of it is out of date, the views are not)
                var changesets = pending.stream()
                        .filter(c -> plan.isEmpty() || !c.getChanges().stream().allMatch(SyncViewsChange.class::isInstance))
                        .map(c -> c.getFilePath() + "::" + c.getId())
                        .toList();
                if (apply) {
                    connection.commit();
                } else {
                    connection.rollback();
                }
                return new Result(changesets, plan.create(), plan.replace(), plan.sideBySide(), plan.drop(), plan.repopulate(),
                        plan.comment(), plan.drifted(), Duration.ofNanos(System.nanoTime() - started));
            } catch (RuntimeException | SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new MigrationException("migration failed, nothing was changed: " + e.getMessage(), e);
        }
    }

    /**
     * The driver's own connection behind a pool's proxy. HikariCP takes SQLState 0A000 for a dead connection and
     * closes it, but PostgreSQL also uses it for "cannot alter type of a column used by a view", an error the
     * migration expects and recovers from (see {@link #applyChangesets}); so the migration talks to the driver.
     */
    private static Connection driverConnection(Connection pooled) throws SQLException {
        return pooled.isWrapperFor(Connection.class) ? pooled.unwrap(Connection.class) : pooled;
    }

    /** A hash of everything under db/: the changelog, its table changesets and the view files. */
    private String changelogFingerprint() {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            var resources = source.accessor().search("db", true).stream()
                    .sorted(Comparator.comparing(Resource::getPath))
                    .toList();
            for (var resource : resources) {
                digest.update(resource.getPath().replaceFirst("^/", "").getBytes(StandardCharsets.UTF_8));
                try (var in = resource.openInputStream()) {
                    digest.update(in.readAllBytes());
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new MigrationException("could not read the changelog in " + source.description() + ": " + e.getMessage(), e);
        }
    }

    /** {@code vista.changelog_applied}: the fingerprint of the changelog last applied (code that runs before the generated classes exist). */
    private static final Table<Record> CHANGELOG_APPLIED = table(name("vista", "changelog_applied"));
    private static final Field<Integer> ID = field(name("id"), Integer.class);
    private static final Field<String> FINGERPRINT = field(name("fingerprint"), String.class);
    private static final Field<OffsetDateTime> APPLIED_AT = field(name("applied_at"), OffsetDateTime.class);

    private static String appliedFingerprint(DSLContext dsl) {
        if (dsl.select(field("to_regclass({0}) IS NOT NULL", Boolean.class, inline("vista.changelog_applied"))).fetchOne(0, Boolean.class) != Boolean.TRUE) {
            return "";
        }
        return dsl.select(FINGERPRINT).from(CHANGELOG_APPLIED).where(ID.eq(1)).fetchOptional(FINGERPRINT).orElse("");
    }

    private static void rememberFingerprint(DSLContext dsl, String fingerprint) {
        dsl.createTableIfNotExists(CHANGELOG_APPLIED)
                .column(ID, SQLDataType.INTEGER.notNull())
                .column(FINGERPRINT, SQLDataType.CLOB.notNull())
                .column(APPLIED_AT, SQLDataType.TIMESTAMPWITHTIMEZONE.notNull().defaultValue(currentOffsetDateTime()))
                .primaryKey(ID)
                .check(ID.eq(1))
                .execute();
        dsl.insertInto(CHANGELOG_APPLIED)
                .set(ID, 1)
                .set(FINGERPRINT, fingerprint)
                .onConflict(ID).doUpdate()
                .set(FINGERPRINT, excluded(FINGERPRINT))
                .set(APPLIED_AT, currentOffsetDateTime())
                .where(field(name("vista", "changelog_applied", "fingerprint"), String.class).isDistinctFrom(excluded(FINGERPRINT)))
                .execute();
    }

    /**
     * Runs the pending changesets; the sync-views one ({@link SyncViewsChange}) is only recorded as run, since the
     * view sync after them does its work, in this transaction and with what a table change needs. When PostgreSQL
     * refuses one because views use a column it changes or drops, the managed views are dropped first and the
     * changesets run again; the view sync that follows rebuilds the views from their (updated) files. No
     * hand-written drop/recreate in changesets.
     */
    private List<ChangeSet> applyChangesets(Connection connection, ViewSync views) throws SQLException {
        var savepoint = connection.setSavepoint();
        try {
            return update(connection);
        } catch (MigrationException e) {
            if (!blockedByViews(e)) {
                throw e;
            }
            connection.rollback(savepoint);
            views.dropAllManaged();
            return update(connection);
        }
    }

    private List<ChangeSet> update(Connection connection) {
        try {
            var bound = TransactionBoundConnection.wrap(connection);
            return Scope.child(Map.of(
                    Scope.Attr.resourceAccessor.name(), source.accessor(),
                    Scope.Attr.ui.name(), new LoggerUIService(),
                    SyncViewsChange.SYNCED_BY_MIGRATOR, true), () -> {
                Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(bound));
                var liquibase = new Liquibase(ChangelogSource.CHANGELOG, source.accessor(), database);
                List<ChangeSet> pending = liquibase.listUnrunChangeSets(new Contexts(), new LabelExpression());
                if (!pending.isEmpty()) {
                    liquibase.update(new Contexts(), new LabelExpression());
                }
                return pending;
            });
        } catch (Exception e) {
            throw new MigrationException(describe(e), e);
        }
    }

    private static boolean blockedByViews(Throwable e) {
        for (var cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                var state = sql.getSQLState();
                // 0A000: "cannot alter type of a column used by a view or rule"; 2BP01: dependent objects still exist
                if ("0A000".equals(state) || "2BP01".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        var message = new StringBuilder();
        for (var cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof LiquibaseException || cause instanceof SQLException) {
                var text = cause.getMessage();
                if (text != null && !message.toString().contains(text)) {
                    if (!message.isEmpty()) {
                        message.append(": ");
                    }
                    message.append(text);
                }
            }
        }
        return message.isEmpty() ? String.valueOf(e) : message.toString();
    }
}
