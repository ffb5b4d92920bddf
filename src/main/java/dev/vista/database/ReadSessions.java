package dev.vista.database;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.access.Caller;
import dev.vista.access.InvalidTokenException;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
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
 * read as a role always runs in a transaction: the one-statement fast path is for the connection's own role.
 */
public final class ReadSessions implements AutoCloseable {

    /** How a read of a JDBC connection runs; what it returns is the read's result. */
    @FunctionalInterface
    public interface JdbcRead<T> {
        T read(Connection connection) throws SQLException, java.io.IOException;
    }

    private final DataSource dataSource;
    private final DSLContext dsl;
    private final Duration statementTimeout;
    private final boolean preset;
    private final HikariDataSource owned;
    private final Caller caller;

    private ReadSessions(DataSource dataSource, DSLContext dsl, Duration statementTimeout, boolean preset, HikariDataSource owned, Caller caller) {
        this.dataSource = dataSource;
        this.dsl = dsl;
        this.statementTimeout = statementTimeout;
        this.preset = preset;
        this.owned = owned;
        this.caller = caller;
    }

    private ReadSessions(DataSource dataSource, Duration statementTimeout, boolean preset, HikariDataSource owned) {
        this(dataSource, DSL.using(dataSource, SQLDialect.POSTGRES), statementTimeout, preset, owned, Caller.CONNECTION);
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

    public Duration statementTimeout() {
        return statementTimeout;
    }

    /** The same sessions, reading as {@code caller}; cheap (nothing is opened), and closing it closes nothing. */
    public ReadSessions as(Caller caller) {
        return new ReadSessions(dataSource, dsl, statementTimeout, preset, null, caller);
    }

    public Caller caller() {
        return caller;
    }

    /** Runs {@code work} in a read-only, repeatable-read transaction whose statements are cancelled after the timeout. */
    public <T> T transaction(Function<DSLContext, T> work) {
        return transaction(statementTimeout, work);
    }

    /**
     * Runs {@code work} as {@link #transaction} does, its statements cancelled after {@code timeout} instead (never
     * after more than the statement timeout): for reads that are worth having only when they are quick, such as a
     * page's facets. A cancelled statement fails with SQLState 57014 and rolls the transaction back.
     */
    public <T> T transaction(Duration timeout, Function<DSLContext, T> work) {
        var bounded = timeout.compareTo(statementTimeout) < 0 ? timeout : statementTimeout;
        return dsl.transactionResult(tx -> {
            var t = tx.dsl();
            try {
                if (caller.isConnection()) {
                    t.execute(setUp(bounded));
                } else {
                    t.execute(setUp(bounded), caller.claims());
                }
            } catch (DataAccessException e) {
                throw refused(e);
            }
            return work.apply(t);
        });
    }

    /**
     * Runs {@code work}, which runs one statement: alone in autocommit where sessions are preset (one round trip),
     * else in a {@link #transaction}.
     */
    public <T> T statement(Function<DSLContext, T> work) {
        return preset && caller.isConnection() ? work.apply(dsl) : transaction(work);
    }

    /**
     * Runs {@code work} on a JDBC connection in a read transaction set up as {@link #transaction} sets it up, for what
     * jOOQ does not wrap (COPY). When {@code work} fails, the connection is discarded instead of going back to the
     * pool: a COPY cut short leaves it in a state PgJDBC does not always recover from.
     */
    public <T> T jdbc(JdbcRead<T> work) throws SQLException, java.io.IOException {
        var connection = dataSource.getConnection();
        var reusable = false;
        try {
            connection.setAutoCommit(false);
            try (var statement = connection.prepareStatement(setUp(statementTimeout))) {
                if (!caller.isConnection()) {
                    statement.setString(1, caller.claims());
                }
                statement.execute();
            } catch (SQLException e) {
                throw refused(new DataAccessException(e.getMessage(), e));
            }
            var result = work.read(connection);
            connection.commit();
            reusable = true;
            return result;
        } finally {
            if (reusable) {
                connection.setAutoCommit(true);
                connection.close();
            } else if (dataSource instanceof HikariDataSource pool) {
                pool.evictConnection(connection); // closing it ends the server process's work too
            } else {
                connection.close();
            }
        }
    }

    /**
     * What makes a transaction a read session; one round trip for all of it (a 100-row page costs a few in all, each one
     * counts). PgJDBC sends the statements of one prepared statement together, the claims bound to the last one. The
     * role is a name {@link dev.vista.access.RoleName} accepted, quoted as an identifier by jOOQ; the timeout is set
     * before the role, and a role's own settings ({@code ALTER ROLE ... SET}) apply at login only, so it holds for every
     * role.
     */
    private String setUp(Duration timeout) {
        var common = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL statement_timeout = " + millis(timeout);
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
