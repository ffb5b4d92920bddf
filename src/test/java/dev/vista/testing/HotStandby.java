package dev.vista.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * A primary and a streaming hot standby on loopback, for the tests of reads on standbys: both from the embedded
 * PostgreSQL's binaries (zonky's, which run here as they are, root included), the standby made without
 * pg_basebackup (zonky ships none) by the low-level backup API: {@code pg_backup_start}, a copy of the primary's
 * data directory, {@code pg_backup_stop}'s label as {@code backup_label}, then {@code standby.signal} and
 * {@code primary_conninfo}. See https://www.postgresql.org/docs/current/continuous-archiving.html#BACKUP-LOWLEVEL-BASE-BACKUP.
 *
 * <p>The primary holds one database, {@value #DATABASE}, migrated with the project's db/. Where the standby cannot be
 * started the calling test is skipped (aborted) saying why.
 */
public final class HotStandby implements AutoCloseable {

    public static final String DATABASE = "vista";

    /** Files of a running data directory that a base backup leaves out (the docs' list, and zonky's lock). */
    private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock", "backup_label",
            "tablespace_map", "standby.signal", "recovery.signal");
    private static final Set<String> EMPTIED = Set.of("pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots",
            "pg_stat_tmp", "pg_subtrans", "archive_status");

    private final Path directory;
    private final EmbeddedPostgres primaryServer;
    private final HikariDataSource primary;
    private final int standbyPort;
    private EmbeddedPostgres standbyServer;

    private HotStandby(Path directory, EmbeddedPostgres primaryServer, HikariDataSource primary, int standbyPort) {
        this.directory = directory;
        this.primaryServer = primaryServer;
        this.primary = primary;
        this.standbyPort = standbyPort;
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
                    .setServerConfig("wal_level", "replica")
                    .setServerConfig("max_wal_senders", "5")
                    .setServerConfig("wal_keep_size", "512MB") // a standby stopped by a test catches up from here
                    .setServerConfig("timezone", "UTC")
                    .start();
            try (var connection = admin(primaryServer.getPort(), "postgres"); var statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE + " TEMPLATE template0 ENCODING 'UTF8'");
            }
            primary = pool(primaryServer.getPort());
            new Migrator(primary, ChangelogSource.directory(TestDatabase.projectRoot())).migrate();
            var standbyPort = freePort();
            var standby = new HotStandby(directory, primaryServer, primary, standbyPort);
            standby.cloneStandby();
            standby.startStandby();
            return standby;
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

    public int primaryPort() {
        return primaryServer.getPort();
    }

    public int standbyPort() {
        return standbyPort;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<standby>/vista}. */
    public String standbyUrl() {
        return url(standbyPort);
    }

    /** Runs {@code work} on a connection of its own to the standby's database, as the superuser (pg_stat_activity, replay). */
    public <T> T onStandby(Function<DSLContext, T> work) {
        try (var connection = DriverManager.getConnection(url(standbyPort), "postgres", "")) {
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
    public synchronized void stopStandby() {
        try {
            standbyServer.close();
            standbyServer = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the standby (again) on its port and waits until it accepts read-only connections. */
    public synchronized void startStandby() {
        try {
            standbyServer = EmbeddedPostgres.builder()
                    .setDataDirectory(directory.resolve("standby"))
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(true)
                    .setPort(standbyPort)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("fsync", "off")
                    .setServerConfig("max_connections", "80")
                    .setServerConfig("hot_standby", "on")
                    .setServerConfig("timezone", "UTC")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the standby", e);
        }
        Await.until("the standby streaming from the primary", Duration.ofSeconds(30), () -> onStandby(standby -> standby
                .resultQuery("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'").fetchOne(0, Integer.class) == 1));
    }

    /** The low-level base backup: start, copy the data directory, stop, and the stop's label beside the copy. */
    private void cloneStandby() throws IOException, SQLException {
        var source = directory.resolve("primary");
        var target = directory.resolve("standby");
        try (var connection = admin(primaryServer.getPort(), "postgres"); var statement = connection.createStatement()) {
            statement.execute("SELECT pg_backup_start('vista standby', true)");
            copy(source, target);
            try (var stop = statement.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                stop.next();
                Files.writeString(target.resolve("backup_label"), stop.getString(1));
                var spcmap = stop.getString(2);
                if (spcmap != null && !spcmap.isEmpty()) {
                    Files.writeString(target.resolve("tablespace_map"), spcmap);
                }
            }
        }
        // the WAL written during the copy, so that the standby reaches consistency; it streams the rest
        copy(source.resolve("pg_wal"), target.resolve("pg_wal"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------")); // PostgreSQL refuses anything looser
        Files.createFile(target.resolve("standby.signal"));
        Files.writeString(target.resolve("postgresql.auto.conf"), "primary_conninfo = 'host=127.0.0.1 port=" + primaryServer.getPort()
                + " user=postgres application_name=vista_standby'\n", StandardOpenOption.APPEND);
    }

    private static void copy(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return EMPTIED.contains(dir.getFileName().toString()) && !dir.equals(source) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                var name = file.getFileName().toString();
                if (!NOT_COPIED.contains(name) && !name.startsWith("pgsql_tmp")) {
                    try {
                        Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                    } catch (NoSuchFileException gone) {
                        // removed while copying (a temporary file): the backup does not need it
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // vanished during the walk
            }
        });
    }

    private static HikariDataSource pool(int port) {
        var hikari = new HikariConfig();
        hikari.setJdbcUrl(url(port));
        hikari.setUsername("postgres");
        hikari.setPassword("");
        hikari.setMaximumPoolSize(8);
        hikari.setConnectionTimeout(3000);
        hikari.setPoolName("primary");
        hikari.addDataSourceProperty("ApplicationName", "vista");
        hikari.addDataSourceProperty("options", "-c TimeZone=UTC");
        return new HikariDataSource(hikari);
    }

    private static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    private static Connection admin(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "");
    }

    static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public synchronized void close() {
        primary.close();
        try {
            if (standbyServer != null) {
                standbyServer.close();
            }
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
