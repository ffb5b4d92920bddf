package dev.vista.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.database.EmbeddedStandby;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * A primary and a streaming hot standby on loopback, for the tests of reads on standbys: the primary an embedded
 * PostgreSQL of its own (its WAL streams to the standby, so not the server the other tests share), the standby an
 * {@link EmbeddedStandby} of it. The primary holds one database, {@value #DATABASE}, migrated with the project's db/.
 * Where the two cannot be started the calling test is skipped (aborted) saying why.
 */
public final class HotStandby implements AutoCloseable {

    public static final String DATABASE = "vista";

    private final Path directory;
    private final EmbeddedPostgres primaryServer;
    private final HikariDataSource primary;
    private final EmbeddedStandby standby;

    private HotStandby(Path directory, EmbeddedPostgres primaryServer, HikariDataSource primary, EmbeddedStandby standby) {
        this.directory = directory;
        this.primaryServer = primaryServer;
        this.primary = primary;
        this.standby = standby;
    }

    /** Starts both, the primary's database migrated; aborts the calling test where a standby cannot be started here. */
    public static HotStandby start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("vista-replication-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedPostgres primaryServer = null;
        HikariDataSource primary = null;
        try {
            primaryServer = EmbeddedPostgres.builder()
                    .setDataDirectory(directory.resolve("primary"))
                    .setCleanDataDirectory(true)
                    .setRegisterShutdownHook(true)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("fsync", "off")
                    .setServerConfig("max_connections", "80")
                    .setServerConfig("timezone", "UTC")
                    .start();
            try (var connection = DriverManager.getConnection(url(primaryServer.getPort(), "postgres"), "postgres", "");
                 var statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE + " TEMPLATE template0 ENCODING 'UTF8'");
            }
            primary = pool(primaryServer.getPort());
            new Migrator(primary, ChangelogSource.directory(TestDatabase.projectRoot())).migrate();
            var standby = EmbeddedStandby.create(url(primaryServer.getPort(), "postgres"), "postgres", "", directory.resolve("primary"),
                    directory.resolve("standby"), freePort());
            return new HotStandby(directory, primaryServer, primary, standby);
        } catch (Exception | AssertionError e) {
            if (primary != null) {
                primary.close();
            }
            if (primaryServer != null) {
                try {
                    primaryServer.close();
                } catch (IOException ignored) {
                    // reported below
                }
            }
            delete(directory);
            abort("could not start a primary and a streaming hot standby from the embedded PostgreSQL here: " + e
                    + "; skipping the tests of reads on standbys");
            throw new AssertionError("unreachable");
        }
    }

    /** The primary's database (migrated), as the app's pool. */
    public HikariDataSource primary() {
        return primary;
    }

    public int standbyPort() {
        return standby.port();
    }

    /** {@code jdbc:postgresql://127.0.0.1:<standby>/vista}. */
    public String standbyUrl() {
        return standby.url(DATABASE);
    }

    /** Runs {@code work} on a connection of its own to the standby's database, as the superuser (pg_stat_activity, replay). */
    public <T> T onStandby(Function<DSLContext, T> work) {
        try (var connection = DriverManager.getConnection(standbyUrl(), "postgres", "")) {
            return work.apply(DSL.using(connection, SQLDialect.POSTGRES));
        } catch (SQLException e) {
            throw new IllegalStateException("the standby does not answer: " + e.getMessage(), e);
        }
    }

    /** Pauses (or resumes) replay on the standby: it keeps receiving WAL and falls behind. */
    public void pauseReplay(boolean pause) {
        onStandby(dsl -> dsl.execute(pause ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()"));
    }

    /** Waits until the standby has replayed everything the primary has written so far. */
    public void awaitReplayed() {
        var written = TestDatabase.dsl(primary).resultQuery("SELECT pg_current_wal_lsn()::text").fetchOne(0, String.class);
        Await.until("the standby replaying up to " + written, Duration.ofSeconds(30), () -> onStandby(standby -> standby
                .resultQuery("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn", written).fetchOne(0, Boolean.class)));
    }

    /** Stops the standby (fast shutdown: its sessions are ended); its data directory stays. */
    public void stopStandby() {
        standby.stop();
    }

    /** Starts the standby again on its port and waits until it streams from the primary. */
    public void startStandby() {
        try {
            standby.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HikariDataSource pool(int port) {
        var hikari = new HikariConfig();
        hikari.setJdbcUrl(url(port, DATABASE));
        hikari.setUsername("postgres");
        hikari.setPassword("");
        hikari.setMaximumPoolSize(8);
        hikari.setConnectionTimeout(3000);
        hikari.setPoolName("primary");
        hikari.addDataSourceProperty("ApplicationName", "vista");
        hikari.addDataSourceProperty("options", "-c TimeZone=UTC");
        return new HikariDataSource(hikari);
    }

    private static String url(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        primary.close();
        standby.close();
        try {
            primaryServer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(directory);
        }
    }

    private static void delete(Path directory) {
        try (var files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: left behind at worst
        }
    }
}
