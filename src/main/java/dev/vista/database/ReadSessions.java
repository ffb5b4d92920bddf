package dev.vista.database;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
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

    private ReadSessions(DataSource dataSource, Duration statementTimeout, boolean preset, HikariDataSource owned) {
        this.dataSource = dataSource;
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        this.statementTimeout = statementTimeout;
        this.preset = preset;
        this.owned = owned;
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

    public Duration statementTimeout() {
        return statementTimeout;
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
            t.execute(setUp(bounded));
            return work.apply(t);
        });
    }

    /**
     * Runs {@code work}, which runs one statement: alone in autocommit where sessions are preset (one round trip),
     * else in a {@link #transaction}.
     */
    public <T> T statement(Function<DSLContext, T> work) {
        return preset ? work.apply(dsl) : transaction(work);
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
            try (var statement = connection.createStatement()) {
                statement.execute(setUp(statementTimeout));
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

    /** What makes a transaction a read session; one round trip for all of it (a 100-row page costs a few in all, each one counts). */
    private static String setUp(Duration timeout) {
        return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL statement_timeout = " + millis(timeout);
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
