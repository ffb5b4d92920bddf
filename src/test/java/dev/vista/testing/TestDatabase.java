package dev.vista.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.migrate.ViewFile;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.Refresher;
import dev.vista.refresh.Trigger;
import dev.vista.seed.DemoData;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The PostgreSQL server the tests run against: one per test run, never one per test. By default an embedded
 * PostgreSQL 18; {@code VISTA_TEST_DATABASE_URL} (a JDBC URL, with {@code VISTA_TEST_DATABASE_USER} and
 * {@code VISTA_TEST_DATABASE_PASSWORD}) uses an existing server instead; {@code VISTA_TEST_DATABASE=testcontainers}
 * starts one in Docker, and where no Docker engine runs the tests are skipped saying so.
 *
 * <p>Each test class takes its own fresh database on that server ({@link #fresh}), so tests that change
 * the schema do not disturb each other.
 */
public final class TestDatabase {

    private record Server(String adminUrl, String user, String password, String urlPrefix, String urlSuffix) {
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Server server;

    private TestDatabase() {
    }

    /** A new, empty database on the shared server. */
    public static synchronized HikariDataSource fresh(String purpose) {
        var s = server();
        var name = "vista_" + purpose.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_") + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (var connection = DriverManager.getConnection(s.adminUrl(), s.user(), s.password());
             var statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name);
            statement.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + ": " + e.getMessage(), e);
        }
        var hikari = new HikariConfig();
        hikari.setJdbcUrl(s.urlPrefix() + name + s.urlSuffix());
        hikari.setUsername(s.user());
        hikari.setPassword(s.password());
        hikari.setMaximumPoolSize(8);
        hikari.setConnectionTimeout(3000);
        hikari.setPoolName(name);
        hikari.addDataSourceProperty("options", "-c TimeZone=UTC");
        return new HikariDataSource(hikari);
    }

    /** A pool whose database cannot be reached (nothing listens on port 1): gives up on a connection after 500 ms. */
    public static HikariDataSource unreachable() {
        var hikari = new HikariConfig();
        hikari.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/nothing");
        hikari.setInitializationFailTimeout(-1);
        hikari.setConnectionTimeout(500);
        return new HikariDataSource(hikari);
    }

    /** A fresh database migrated with the project's own db/. */
    public static HikariDataSource migrated(String purpose) {
        var dataSource = fresh(purpose);
        new Migrator(dataSource, ChangelogSource.directory(projectRoot())).migrate();
        return dataSource;
    }

    public static DSLContext dsl(javax.sql.DataSource dataSource) {
        return DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    /** The project's db/views, parsed. */
    public static List<ViewFile> viewFiles() {
        return ChangelogSource.directory(projectRoot()).viewFiles();
    }

    /** A refresher over the project's db/views, as the app builds it (with a refresh timeout of a minute). */
    public static Refresher refresher(javax.sql.DataSource dataSource) {
        return refresher(dataSource, Duration.ofMinutes(1), Duration.ofSeconds(2));
    }

    public static Refresher refresher(javax.sql.DataSource dataSource, Duration timeout, Duration fenceTimeout) {
        return new Refresher(dataSource, viewFiles(), new Freshness(dsl(dataSource), viewFiles()), timeout, fenceTimeout);
    }

    /** Refreshes every materialized view and incremental aggregate, as after a seed. */
    public static void refreshAll(javax.sql.DataSource dataSource) {
        refresher(dataSource).refreshAll(Trigger.java, true, false);
    }

    /** The demo data loader, refreshing through {@link #refresher}; its progress is dropped. */
    public static DemoData demoData(javax.sql.DataSource dataSource) {
        return new DemoData(dsl(dataSource), refresher(dataSource), Trigger.java, line -> { });
    }

    public static Path projectRoot() {
        return Path.of(System.getProperty("user.dir"));
    }

    private static synchronized Server server() {
        if (server == null) {
            server = start();
            try (var connection = DriverManager.getConnection(server.adminUrl(), server.user(), server.password());
                 var rows = connection.createStatement().executeQuery("SELECT version()")) {
                rows.next();
                System.out.println("[vista tests] database server: " + rows.getString(1));
            } catch (SQLException e) {
                throw new IllegalStateException("the test database server does not answer: " + e.getMessage(), e);
            }
        }
        return server;
    }

    private static Server start() {
        var url = System.getenv("VISTA_TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            var user = System.getenv().getOrDefault("VISTA_TEST_DATABASE_USER", "postgres");
            var password = System.getenv().getOrDefault("VISTA_TEST_DATABASE_PASSWORD", "");
            var base = url.substring(0, url.lastIndexOf('/') + 1);
            var query = url.contains("?") ? url.substring(url.indexOf('?')) : "";
            return new Server(url, user, password, base, query);
        }
        if ("testcontainers".equalsIgnoreCase(System.getenv("VISTA_TEST_DATABASE"))) {
            return Testcontainers.start();
        }
        try {
            var embedded = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .setPGStartupWait(java.time.Duration.ofSeconds(60))
                    .start();
            var port = embedded.getPort();
            var prefix = "jdbc:postgresql://localhost:" + port + "/";
            return new Server(prefix + "postgres", "postgres", "", prefix, "");
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL for tests", e);
        }
    }

    /** Kept apart so that the Testcontainers classes load only when asked for. */
    private static final class Testcontainers {
        static Server start() {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                abort("VISTA_TEST_DATABASE=testcontainers, but no Docker engine is reachable here: skipping the database tests."
                        + " Unset it to use the embedded PostgreSQL.");
            }
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:18-alpine");
            container.start();
            var prefix = "jdbc:postgresql://" + container.getHost() + ":" + container.getFirstMappedPort() + "/";
            return new Server(prefix + "postgres", container.getUsername(), container.getPassword(), prefix, "");
        }
    }
}
