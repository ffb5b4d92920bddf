package dev.vista.database;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Connections for report reads: a pool beside the main one whose sessions are read-only and carry the
 * statement timeout from the moment they connect ({@code -c default_transaction_read_only=on -c
 * statement_timeout=...}). A page of a report is then one statement in autocommit, one round trip, instead of
 * BEGIN and SET, the query, and COMMIT: three round trips, which is most of what a 100-row page costs.
 *
 * <p>The pool starts on first use, so an app that never serves a page opens no connection.
 */
public final class ReaderPool implements AutoCloseable {

    private final HikariDataSource pool;

    private ReaderPool(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * A reader pool for the database behind {@code main}, which must be a HikariCP pool (its URL, credentials
     * and driver properties are copied); empty for any other data source, whose callers keep using read-only
     * transactions on it.
     */
    public static Optional<ReaderPool> beside(DataSource main, Duration statementTimeout) {
        HikariDataSource hikari;
        try {
            if (!main.isWrapperFor(HikariDataSource.class)) {
                return Optional.empty();
            }
            hikari = main.unwrap(HikariDataSource.class);
        } catch (SQLException e) {
            return Optional.empty();
        }
        var readers = new HikariDataSource(); // not started until the first getConnection()
        readers.setJdbcUrl(hikari.getJdbcUrl());
        readers.setUsername(hikari.getUsername());
        readers.setPassword(hikari.getPassword());
        readers.setMaximumPoolSize(hikari.getMaximumPoolSize());
        readers.setMinimumIdle(Math.min(2, hikari.getMaximumPoolSize()));
        readers.setConnectionTimeout(hikari.getConnectionTimeout());
        readers.setPoolName(hikari.getPoolName() + "-readers");
        var properties = new java.util.Properties();
        properties.putAll(hikari.getDataSourceProperties());
        var options = properties.getProperty("options", "");
        properties.setProperty("options", (options + " -c default_transaction_read_only=on -c statement_timeout="
                + Math.max(1, statementTimeout.toMillis())).strip());
        readers.setDataSourceProperties(properties);
        return Optional.of(new ReaderPool(readers));
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }
}
