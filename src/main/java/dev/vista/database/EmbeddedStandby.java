package dev.vista.database;

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
import java.util.Properties;
import java.util.Set;
import org.postgresql.Driver;

/**
 * A streaming hot standby of a PostgreSQL whose data directory is on this machine, run with the embedded PostgreSQL's
 * binaries: for {@code vista bench} and the tests of reads on standbys. zonky ships no {@code pg_basebackup}, so the
 * standby is made with the low-level backup API
 * (https://www.postgresql.org/docs/current/continuous-archiving.html#BACKUP-LOWLEVEL-BASE-BACKUP):
 * {@code pg_backup_start}, a copy of the data directory, {@code pg_backup_stop}, whose label becomes
 * {@code backup_label}; then {@code standby.signal}, {@code primary_conninfo} and a physical replication slot, so the
 * primary keeps the WAL the standby has yet to receive however far behind it falls.
 */
public final class EmbeddedStandby implements AutoCloseable {

    /** What a base backup leaves out of a running data directory (the manual's list, and zonky's lock file). */
    private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock", "backup_label",
            "tablespace_map", "standby.signal", "recovery.signal");
    private static final Set<String> COPIED_EMPTY = Set.of("pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots",
            "pg_stat_tmp", "pg_subtrans", "archive_status");

    private final String primaryUrl;
    private final String user;
    private final String password;
    private final String slot;
    private final Path directory;
    private final int port;
    private EmbeddedPostgres server;

    private EmbeddedStandby(String primaryUrl, String user, String password, String slot, Path directory, int port) {
        this.primaryUrl = primaryUrl;
        this.user = user;
        this.password = password;
        this.slot = slot;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Makes a standby of the primary at {@code primaryUrl} (whose data directory is {@code primaryData}), in
     * {@code directory}, and starts it on {@code port}. {@code user} must be allowed to run backups and to replicate
     * (a superuser, as the embedded PostgreSQL's is).
     */
    public static EmbeddedStandby create(String primaryUrl, String user, String password, Path primaryData, Path directory, int port)
            throws IOException, SQLException {
        var standby = new EmbeddedStandby(primaryUrl, user, password, "vista_standby_" + port, directory, port);
        standby.cloneFrom(primaryData);
        standby.start();
        return standby;
    }

    public int port() {
        return port;
    }

    /** Its JDBC URL for {@code database}. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private void cloneFrom(Path primaryData) throws IOException, SQLException {
        var primary = Driver.parseURL(primaryUrl, new Properties());
        try (var connection = connect(primaryUrl); var statement = connection.createStatement()) {
            execute(connection, "SELECT pg_create_physical_replication_slot(?, true)");
            statement.execute("SELECT pg_backup_start('vista standby', true)");
            copy(primaryData, directory);
            try (var stop = statement.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                stop.next();
                Files.writeString(directory.resolve("backup_label"), stop.getString(1));
                var spcmap = stop.getString(2);
                if (spcmap != null && !spcmap.isEmpty()) {
                    Files.writeString(directory.resolve("tablespace_map"), spcmap);
                }
            }
        }
        // the WAL written while copying, so that it reaches a consistent state at once; it streams the rest
        copy(primaryData.resolve("pg_wal"), directory.resolve("pg_wal"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------")); // PostgreSQL refuses looser
        Files.createFile(directory.resolve("standby.signal"));
        Files.writeString(directory.resolve("postgresql.auto.conf"), "primary_conninfo = 'host=" + primary.getProperty("PGHOST")
                + " port=" + primary.getProperty("PGPORT") + " user=" + user + (password.isEmpty() ? "" : " password=" + password)
                + " application_name=" + slot + "'\nprimary_slot_name = '" + slot + "'\n", StandardOpenOption.APPEND);
    }

    /** Starts it (again) and waits until it accepts read-only connections and streams from the primary. */
    public synchronized void start() throws IOException {
        server = EmbeddedPostgres.builder()
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(true)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(120))
                .setServerConfig("hot_standby", "on")
                .setServerConfig("max_connections", "100")
                .setServerConfig("timezone", "UTC")
                .start();
        var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!streaming()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the standby on port " + port + " does not stream from its primary after 60 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the standby", e);
            }
        }
    }

    private boolean streaming() {
        try (var connection = connect(url("postgres")); var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) {
            return rows.next() && rows.getInt(1) == 1;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Stops it (a fast shutdown: its sessions are ended); its data directory stays, so it can start again. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the standby on port " + port, e);
        } finally {
            server = null;
        }
    }

    private Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private static void copy(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return !dir.equals(source) && COPIED_EMPTY.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                var name = file.getFileName().toString();
                if (!NOT_COPIED.contains(name) && !name.startsWith("pgsql_tmp")) {
                    try {
                        Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                    } catch (NoSuchFileException gone) {
                        // a temporary file, removed while copying: the backup does not need it
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

    private void execute(Connection connection, String sqlWithSlot) throws SQLException {
        try (var statement = connection.prepareStatement(sqlWithSlot)) {
            statement.setString(1, slot);
            statement.execute();
        }
    }

    /** Stops it, drops its replication slot on the primary (when the primary still answers) and deletes its data. */
    @Override
    public void close() {
        stop();
        try (var connection = connect(primaryUrl)) {
            // the primary's WAL sender for it may take a moment to notice and let go of the slot
            for (int attempt = 0; ; attempt++) {
                try {
                    execute(connection, "SELECT pg_drop_replication_slot(?)");
                    break;
                } catch (SQLException active) {
                    if (attempt == 50) {
                        throw active;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (SQLException e) {
            // the primary is gone too, and the slot with it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // left behind at worst
        }
    }
}
