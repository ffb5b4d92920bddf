package dev.vista.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.vista.config.DatabaseConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;

// The PostgreSQL Vista talks to, behind a bounded connection pool: external, or embedded and started here.
public final class Database implements AutoCloseable {

    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;

    private Database(EmbeddedPostgres embedded, HikariDataSource pool) {
        this.embedded = embedded;
        this.pool = pool;
    }

    public static Database open(DatabaseConfig config) {
        if (config.isEmbedded()) {
            var embedded = startEmbedded(config);
            var url = embedded.getJdbcUrl("postgres", "postgres");
            return new Database(embedded, pool(url, "postgres", "", config.maxPoolSize()));
        }
        return new Database(null, pool(config.jdbcUrl().orElseThrow(), config.user(), config.password(), config.maxPoolSize()));
    }

    /** Starts PostgreSQL on a data directory that outlives the process: initialised on first use, reused afterwards. */
    static EmbeddedPostgres startEmbedded(DatabaseConfig config) {
        try {
            Files.createDirectories(config.dataDir());
            return EmbeddedPostgres.builder()
                    .setDataDirectory(config.dataDir().toAbsolutePath())
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("timezone", "UTC")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL in " + config.dataDir().toAbsolutePath()
                    + ": " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("epg-lock")) {
                throw new IllegalStateException("the data directory " + config.dataDir().toAbsolutePath()
                        + " is in use by another Vista; stop it, or set VISTA_DATA_DIR to another directory", e);
            }
            throw e;
        }
    }

    static HikariDataSource pool(String url, String user, String password, int size) {
        var hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(size);
        hikari.setPoolName("vista");
        // An exhausted pool answers 503 quickly instead of queueing requests for half a minute.
        hikari.setConnectionTimeout(Duration.ofSeconds(3).toMillis());
        hikari.setInitializationFailTimeout(Duration.ofSeconds(30).toMillis());
        hikari.addDataSourceProperty("ApplicationName", "vista");
        hikari.addDataSourceProperty("options", "-c TimeZone=UTC");
        return new HikariDataSource(hikari);
    }

    /**
     * Reports a pool to {@code registry} through Hikari's own Micrometer tracker ({@code hikaricp_connections_*}, tagged
     * by pool name: connections active, idle, pending, max and min, acquire, usage and creation times, timeouts), unless
     * it reports somewhere already: Hikari takes a tracker once in a pool's life.
     */
    public static void measure(HikariDataSource pool, MeterRegistry registry) {
        if (pool.getMetricsTrackerFactory() == null && pool.getMetricRegistry() == null) {
            pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
    }

    /** The JDBC URL the pool connects to (for tools that need their own connection, like the benchmark's psql). */
    public String jdbcUrl() {
        return pool.getJdbcUrl();
    }

    public String user() {
        return pool.getUsername();
    }

    /** The primary's pool: migrations, refreshes, refresh history; report reads go through {@link ReadSessions} beside it. */
    public HikariDataSource dataSource() {
        return pool;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            }
        }
    }
}
