package dev.vista.database;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.access.Caller;
import dev.vista.access.InvalidTokenException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Where report reads run, and the one place a read session is set up: read-only, repeatable read (a count and the
 * rows it counts, or the sources of a comparison, see the same data), and cancelled after the statement timeout.
 *
 * <p>Two ways to get them, chosen where the app is wired: {@link #beside} opens a pool of its own whose sessions are
 * read-only and carry the statement timeout from the moment they connect ({@code -c default_transaction_read_only=on
 * -c statement_timeout=...}), so a read of one statement runs alone in autocommit: one round trip instead of BEGIN
 * and SET, the query, and COMMIT, which is most of what a 100-row page costs. {@link #on} takes any data source and
 * opens a transaction for every read.
 *
 * <p>{@link #as} binds reads to a {@link Caller}: each read transaction then also runs {@code SET LOCAL ROLE} (the
 * caller's role, checked and quoted) and {@code set_config('request.jwt.claims', <claims>, true)} (a bind value), in
 * the same round trip as the rest of the set-up, so PostgreSQL's grants and row-level security policies decide what the
 * read sees, as in PostgREST. Both end with the transaction, so a pooled connection never keeps a caller's role. A
 * read as a role runs in a transaction, but for the rows of one query ({@link #rows}), whose settings go out with the
 * query in its one round trip, on every kind of session.
 *
 * <p>With {@link Standbys} (VISTA_READ_URL), reads run on a hot standby that is fit to read from, and on the
 * primary's sessions only when none is, or when a standby fails a read before its answer has begun (a conflict with
 * recovery, a standby shutting down or gone): then the read runs once more, on the primary. Standby sessions carry no
 * state of their own (they may come through PgBouncer in transaction pooling): every read is a transaction whose
 * settings are {@code SET LOCAL}, or one message whose settings are {@code set_config(..., true)} ({@link #rows}). {@link #onPrimary} gives the reads that must see the primary itself.
 */
public final class ReadSessions implements AutoCloseable {

    /** How a read of a JDBC connection runs; what it returns is the read's result. */
    @FunctionalInterface
    public interface JdbcRead<T> {
        T read(Connection connection) throws SQLException, java.io.IOException;
    }

    /**
     * A read that answers a request, as far as where it runs matters: it is told where it runs before its work starts
     * (and told again, the primary, when a standby failed it and the primary runs it once more), and it says whether
     * its answer has begun, after which a standby's failure is not retried but thrown.
     */
    public interface Answer {
        /** For reads whose work returns before anything is written: always retried, where they run is of no interest. */
        Answer NONE = new Answer() {
            @Override
            public void readingOn(ReadPlace place) {
            }

            @Override
            public boolean begun() {
                return false;
            }
        };

        void readingOn(ReadPlace place);

        boolean begun();
    }

    private final DataSource dataSource;
    private final DSLContext dsl;
    private final Duration statementTimeout;
    private final boolean preset;
    private final HikariDataSource owned;
    private final Caller caller;
    /** Where reads go when one is fit; null: every read on {@link #dataSource}. */
    private final Standbys standbys;

    private ReadSessions(DataSource dataSource, DSLContext dsl, Duration statementTimeout, boolean preset, HikariDataSource owned, Caller caller,
                         Standbys standbys) {
        this.dataSource = dataSource;
        this.dsl = dsl;
        this.statementTimeout = statementTimeout;
        this.preset = preset;
        this.owned = owned;
        this.caller = caller;
        this.standbys = standbys;
    }

    private ReadSessions(DataSource dataSource, Duration statementTimeout, boolean preset, HikariDataSource owned) {
        this(dataSource, DSL.using(dataSource, SQLDialect.POSTGRES), statementTimeout, preset, owned, Caller.CONNECTION, null);
    }

    /** Reads on {@code dataSource}, each in a transaction that makes it read-only and sets the statement timeout. */
    public static ReadSessions on(DataSource dataSource, Duration statementTimeout) {
        return new ReadSessions(dataSource, statementTimeout, false, null);
    }

    /**
     * Reads on a pool of their own beside {@code primary} (its URL, credentials, size and driver properties), whose
     * sessions are read-only with the statement timeout preset. The pool connects on first use; {@link #close} closes it.
     */
    public static ReadSessions beside(HikariDataSource primary, Duration statementTimeout) {
        var readers = new HikariDataSource(); // not started until the first getConnection()
        readers.setJdbcUrl(primary.getJdbcUrl());
        readers.setUsername(primary.getUsername());
        readers.setPassword(primary.getPassword());
        readers.setMaximumPoolSize(primary.getMaximumPoolSize());
        readers.setMinimumIdle(Math.min(2, primary.getMaximumPoolSize()));
        readers.setConnectionTimeout(primary.getConnectionTimeout());
        readers.setPoolName(primary.getPoolName() + "-readers");
        var properties = new Properties();
        properties.putAll(primary.getDataSourceProperties());
        var options = properties.getProperty("options", "");
        properties.setProperty("options", (options + " -c default_transaction_read_only=on -c statement_timeout="
                + millis(statementTimeout)).strip());
        readers.setDataSourceProperties(properties);
        return new ReadSessions(readers, statementTimeout, true, readers);
    }

    /** As {@link #beside(HikariDataSource, Duration)}, its pool reporting to {@code registry} (see {@link Database#measure}). */
    public static ReadSessions beside(HikariDataSource primary, Duration statementTimeout, MeterRegistry registry) {
        var sessions = beside(primary, statementTimeout);
        Database.measure(sessions.owned, registry);
        return sessions;
    }

    /** The same sessions reading on hot standbys where one is fit (see {@link Standbys}); the standbys stay the caller's to close. */
    public ReadSessions readingFrom(Standbys standbys) {
        return new ReadSessions(dataSource, dsl, statementTimeout, preset, owned, caller, standbys);
    }

    /** These sessions with every read on the primary, for reads that must see it (real-time reads); closing it closes nothing. */
    public ReadSessions onPrimary() {
        return new ReadSessions(dataSource, dsl, statementTimeout, preset, null, caller, null);
    }

    /** The standbys reads go to when one is fit; empty when every read runs on the primary. */
    public Optional<Standbys> standbys() {
        return Optional.ofNullable(standbys);
    }

    public Duration statementTimeout() {
        return statementTimeout;
    }

    /** The same sessions, reading as {@code caller}; cheap (nothing is opened), and closing it closes nothing. */
    public ReadSessions as(Caller caller) {
        return new ReadSessions(dataSource, dsl, statementTimeout, preset, null, caller, standbys);
    }

    public Caller caller() {
        return caller;
    }

    /** Runs {@code work} in a read-only, repeatable-read transaction whose statements are cancelled after the timeout. */
    public <T> T transaction(Function<DSLContext, T> work) {
        return transaction(Answer.NONE, statementTimeout, work);
    }

    /**
     * Runs {@code work} as {@link #transaction} does, its statements cancelled after {@code timeout} instead (never
     * after more than the statement timeout): for reads that are worth having only when they are quick, such as a
     * page's facets. A cancelled statement fails with SQLState 57014 and rolls the transaction back.
     */
    public <T> T transaction(Duration timeout, Function<DSLContext, T> work) {
        return transaction(Answer.NONE, timeout, work);
    }

    /** As {@link #transaction(Function)}, for a read that answers a request (see {@link Answer}). */
    public <T> T transaction(Answer answer, Function<DSLContext, T> work) {
        return transaction(answer, statementTimeout, work);
    }

    private <T> T transaction(Answer answer, Duration timeout, Function<DSLContext, T> work) {
        var bounded = timeout.compareTo(statementTimeout) < 0 ? timeout : statementTimeout;
        return unchecked(() -> route(answer, false,
                connection -> onStandby(connection, bounded, standby -> work.apply(DSL.using(standby, SQLDialect.POSTGRES))),
                () -> inTransaction(dsl, setUp(bounded, false), work)));
    }

    /**
     * Runs {@code work}, which runs one statement: alone in autocommit where sessions are preset (one round trip),
     * else in a {@link #transaction}.
     */
    public <T> T statement(Function<DSLContext, T> work) {
        return statement(Answer.NONE, work);
    }

    /** As {@link #statement(Function)}, for a read that answers a request; on a standby, always a transaction. */
    public <T> T statement(Answer answer, Function<DSLContext, T> work) {
        return unchecked(() -> route(answer, false,
                connection -> onStandby(connection, statementTimeout, standby -> work.apply(DSL.using(standby, SQLDialect.POSTGRES))),
                () -> preset && caller.isConnection() ? work.apply(dsl) : inTransaction(dsl, setUp(statementTimeout, false), work)));
    }

    /**
     * Runs {@code work} on a JDBC connection in a read transaction set up as {@link #transaction} sets it up, for what
     * jOOQ does not wrap (COPY). When {@code work} fails, the connection is discarded instead of going back to the
     * pool: a COPY cut short leaves it in a state PgJDBC does not always recover from.
     */
    public <T> T jdbc(JdbcRead<T> work) throws SQLException, java.io.IOException {
        return jdbc(Answer.NONE, work);
    }

    /** As {@link #jdbc(JdbcRead)}, for a read that answers a request (see {@link Answer}). */
    public <T> T jdbc(Answer answer, JdbcRead<T> work) throws SQLException, java.io.IOException {
        return route(answer, true, connection -> onStandby(connection, statementTimeout, work), () -> inTransaction(work));
    }

    /** How a read of one statement's rows runs; the rows are open while it does, and what it returns is the read's result. */
    @FunctionalInterface
    public interface RowsRead<T> {
        T read(ResultSet rows) throws SQLException, java.io.IOException;
    }

    /**
     * Runs one query, {@code sql} with {@code values} bound in order, and hands its rows to {@code work}, in one round
     * trip on every kind of session: what the session lacks is set by {@code set_config(..., true)} in a statement
     * sent ahead of the query in the same message, as PostgREST sets a request's role and claims. PostgreSQL runs the
     * statements up to one Sync as one implicit transaction, so the settings hold for the query and end with it, and
     * a pooled connection never keeps them; a statement timeout set there runs from the query's own messages on.
     * What is set: on preset sessions, a caller's role and claims (nothing for the connection's own role); on a
     * standby's (which may be a PgBouncer's, shared between transactions), the statement timeout and the time zone
     * too; on sessions of a caller's data source, read-only and the statement timeout as well. That saves the two
     * round trips of a transaction's BEGIN with its set-up and its COMMIT, which made a token's 100-row page take
     * twice as long as the same page without one, and a standby's page as long again as the primary's.
     *
     * <p>A read as a role refused there with SQLState 22023 or 42501 runs once more as a transaction, whose set-up
     * tells a role the connection may not become (the token's fault) from a relation the role may not read.
     */
    public <T> T rows(Answer answer, String sql, List<?> values, RowsRead<T> work) {
        JdbcRead<T> query = connection -> plain(connection, sql, values, work);
        return unchecked(() -> route(answer, false, connection -> {
            try {
                return new Finished<>(ahead(connection, settings(true), sql, values, work), true);
            } catch (Refused e) {
                return onStandby(connection, statementTimeout, query);
            }
        }, () -> {
            try (var connection = dataSource.getConnection()) {
                return ahead(connection, settings(false), sql, values, work);
            } catch (Refused e) {
                return inTransaction(query); // that connection back in the pool first: this one takes another
            }
        }));
    }

    /** A read ahead of which the settings were refused, before any row was read, as a role or a grant would refuse it. */
    private static final class Refused extends Exception {
        Refused(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /**
     * What a session of this kind lacks for a read, as names and values for {@code set_config}: see {@link #rows}.
     * The time zone is UTC, as a preset session has it from its start-up (a standby's does not).
     */
    private List<String> settings(boolean standby) {
        var settings = new ArrayList<String>();
        if (!preset && !standby) {
            settings.addAll(List.of("transaction_read_only", "on"));
        }
        if (!preset || standby) {
            settings.addAll(List.of("statement_timeout", Long.toString(millis(statementTimeout))));
        }
        if (standby) {
            settings.addAll(List.of("TimeZone", "UTC"));
        }
        caller.role().ifPresent(role -> settings.addAll(List.of("role", role, "request.jwt.claims", caller.claims())));
        return settings;
    }

    /** {@code sql} on {@code connection} (in autocommit), after a statement of {@code settings} in the same message. */
    private <T> T ahead(Connection connection, List<String> settings, String sql, List<?> values, RowsRead<T> work)
            throws SQLException, java.io.IOException, Refused {
        if (settings.isEmpty()) {
            return plain(connection, sql, values, work);
        }
        var setUp = new StringBuilder("SELECT ");
        for (int i = 0; i < settings.size(); i += 2) {
            setUp.append(i == 0 ? "" : ", ").append("set_config(?, ?, true)");
        }
        try (var statement = connection.prepareStatement(setUp.append("; ").append(sql).toString())) {
            bind(statement, settings, 1);
            bind(statement, values, settings.size() + 1);
            try {
                statement.execute();
            } catch (SQLException e) {
                if (caller.role().isPresent() && ("22023".equals(e.getSQLState()) || "42501".equals(e.getSQLState()))) {
                    throw new Refused(e);
                }
                throw e;
            }
            if (!statement.getMoreResults()) {
                throw new SQLException("no rows came after the settings of the read");
            }
            try (var rows = statement.getResultSet()) {
                return work.read(rows);
            }
        }
    }

    /** {@code sql} alone, {@code values} bound in order. */
    private static <T> T plain(Connection connection, String sql, List<?> values, RowsRead<T> work) throws SQLException, java.io.IOException {
        try (var statement = connection.prepareStatement(sql)) {
            bind(statement, values, 1);
            try (var rows = statement.executeQuery()) {
                return work.read(rows);
            }
        }
    }

    /** Binds {@code values} in order, the first at {@code first}. */
    private static void bind(PreparedStatement statement, List<?> values, int first) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            statement.setObject(first + i, values.get(i));
        }
    }

    /** {@code work} in a read transaction on a connection of the primary's; after a failure the connection is discarded (see {@link #jdbc}). */
    private <T> T inTransaction(JdbcRead<T> work) throws SQLException, java.io.IOException {
        var connection = dataSource.getConnection();
        var reusable = false;
        try {
            var result = inTransaction(connection, setUp(statementTimeout, false), work);
            reusable = true;
            return result;
        } finally {
            if (reusable) {
                connection.close();
            } else if (dataSource instanceof HikariDataSource pool) {
                pool.evictConnection(connection); // closing it ends the server process's work too
            } else {
                connection.close();
            }
        }
    }

    /** A read on a standby's connection: its result, and whether the connection may go back to the pool. */
    @FunctionalInterface
    private interface StandbyRead<T> {
        Finished<T> run(Connection connection) throws SQLException, java.io.IOException;
    }

    private record Finished<T>(T result, boolean reusable) {
    }

    @FunctionalInterface
    private interface PrimaryRead<T> {
        T run() throws SQLException, java.io.IOException;
    }

    /**
     * Runs a read on a standby that is fit to read from, else on the primary; when the standby fails it before its
     * answer has begun, once more on the primary. The standby's connection is discarded after a failure that may have
     * broken it (or after any failure, {@code discardOnFailure}).
     */
    private <T> T route(Answer answer, boolean discardOnFailure, StandbyRead<T> onStandby, PrimaryRead<T> onPrimary)
            throws SQLException, java.io.IOException {
        var lease = standbys == null ? Optional.<Standbys.Lease>empty() : standbys.lease();
        if (lease.isPresent()) {
            var connection = lease.get().connection();
            var done = false;
            var reusable = false;
            Throwable failure = null;
            try {
                answer.readingOn(lease.get().place());
                var finished = onStandby.run(connection);
                done = true;
                reusable = finished.reusable();
                return finished.result();
            } catch (SQLException | RuntimeException e) {
                failure = e;
                if (answer.begun() || !Standbys.isStandbyFault(e)) {
                    throw e;
                }
                standbys.retriedOnPrimary(lease.get().place(), e);
            } finally {
                standbys.release(connection, done ? !reusable : discardOnFailure || failure == null || Standbys.isStandbyFault(failure));
            }
        }
        answer.readingOn(ReadPlace.PRIMARY);
        return onPrimary.run();
    }

    /**
     * {@code work} in a read transaction on a standby's connection. A COMMIT that fails once the work is done loses
     * nothing (the transaction only read, and its rows are all read), so the result stands: a standby that stops
     * between the last row and the COMMIT must not fail an answer that is complete; the connection is discarded.
     */
    private <T> Finished<T> onStandby(Connection connection, Duration timeout, JdbcRead<T> work) throws SQLException, java.io.IOException {
        connection.setAutoCommit(false);
        T result;
        try {
            setUp(connection, setUp(timeout, true));
            result = work.read(connection);
        } catch (SQLException | java.io.IOException | RuntimeException e) {
            try {
                connection.rollback();
                connection.setAutoCommit(true);
            } catch (SQLException broken) {
                e.addSuppressed(broken); // discarded with it, below
            }
            throw e;
        }
        try {
            connection.commit();
            connection.setAutoCommit(true);
            return new Finished<>(result, true);
        } catch (SQLException ended) {
            return new Finished<>(result, false);
        }
    }

    /** {@code work} in a read transaction of {@code dsl}, set up by {@code setUp} (the caller's claims bound to it). */
    private <T> T inTransaction(DSLContext dsl, String setUp, Function<DSLContext, T> work) {
        return dsl.transactionResult(tx -> {
            var t = tx.dsl();
            try {
                if (caller.isConnection()) {
                    t.execute(setUp);
                } else {
                    t.execute(setUp, caller.claims());
                }
            } catch (DataAccessException e) {
                throw refused(e);
            }
            return work.apply(t);
        });
    }

    /** As {@link #inTransaction(DSLContext, String, Function)} on a JDBC connection, left in autocommit again when it succeeds. */
    private <T> T inTransaction(Connection connection, String setUp, JdbcRead<T> work) throws SQLException, java.io.IOException {
        connection.setAutoCommit(false);
        setUp(connection, setUp);
        var result = work.read(connection);
        connection.commit();
        connection.setAutoCommit(true);
        return result;
    }

    /** Runs a session's set-up on a JDBC connection, the caller's claims bound to it. */
    private void setUp(Connection connection, String setUp) {
        try (var statement = connection.prepareStatement(setUp)) {
            if (!caller.isConnection()) {
                statement.setString(1, caller.claims());
            }
            statement.execute();
        } catch (SQLException e) {
            throw refused(new DataAccessException(e.getMessage(), e));
        }
    }

    @FunctionalInterface
    private interface Unchecked<T> {
        T run() throws SQLException, java.io.IOException;
    }

    /** For reads through jOOQ, which throws nothing checked itself: what JDBC throws on the way, as jOOQ would. */
    private static <T> T unchecked(Unchecked<T> read) {
        try {
            return read.run();
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What makes a transaction a read session; one round trip for all of it (a 100-row page costs a few in all, each one
     * counts). PgJDBC sends the statements of one prepared statement together, the claims bound to the last one. The
     * role is a name {@link dev.vista.access.RoleName} accepted, quoted as an identifier by jOOQ; the timeout is set
     * before the role, and a role's own settings ({@code ALTER ROLE ... SET}) apply at login only, so it holds for every
     * role. A standby's session ({@code standby}) also sets the time zone a preset session has from its start-up: its
     * connection may be a PgBouncer's, shared with other clients between transactions.
     */
    private String setUp(Duration timeout, boolean standby) {
        var common = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL statement_timeout = " + millis(timeout)
                + (standby ? "; SET LOCAL TimeZone = 'UTC'" : "");
        return caller.role().map(role -> common + "; SET LOCAL ROLE " + dsl.render(DSL.name(role))
                + "; SELECT set_config('request.jwt.claims', ?, true)").orElse(common);
    }

    /**
     * A role PostgreSQL does not let the connection become (it does not exist, or the connection user is not a member:
     * SQLSTATE 22023 or 42501 on SET ROLE) is the caller's problem, not a database error.
     */
    private RuntimeException refused(DataAccessException e) {
        var state = e.sqlState();
        if (!caller.isConnection() && ("22023".equals(state) || "42501".equals(state))) {
            return InvalidTokenException.invalid("the token's role cannot be used by this Vista");
        }
        return e;
    }

    private static long millis(Duration timeout) {
        return Math.max(1, timeout.toMillis());
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
