package dev.vista.migrate;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The build's database for jOOQ's code generator (see pom.xml): {@code start} brings up an embedded
 * PostgreSQL on the reserved port and migrates it with {@link Migrator}, exactly as the app does at start-up,
 * then writes the views' keys for the code generator ({@link SyntheticKeys}); {@code stop} shuts it down once
 * the classes are generated. With {@code -Dvista.codegen.url=...} no database is started and the given one is
 * migrated instead.
 */
public final class CodegenDatabase {

    private CodegenDatabase() {
    }

    public static void main(String[] args) throws Exception {
        var command = args[0];
        var embedded = Boolean.parseBoolean(args[1]);
        var projectDir = Path.of(args[2]);
        var dataDir = Path.of(args[3]);
        switch (command) {
            case "start" -> start(embedded, projectDir, dataDir, Path.of(args[4]), Integer.parseInt(args[5]), args[6], args[7],
                    args.length > 8 ? args[8] : "");
            case "stop" -> {
                if (embedded) {
                    stop(dataDir);
                }
            }
            default -> throw new IllegalArgumentException("usage: start|stop ...");
        }
    }

    private static void start(boolean embedded, Path projectDir, Path dataDir, Path keysFile, int port, String url, String user,
                              String password) throws IOException {
        if (embedded) {
            stop(dataDir); // one left behind by an interrupted build
            deleteRecursively(dataDir);
            EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .start();
        }
        var dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        var source = ChangelogSource.directory(projectDir);
        try {
            var result = new Migrator(dataSource, source).migrate();
            System.out.println("[vista] migrated the code generation database: " + result.summary());
            SyntheticKeys.write(keysFile, source.viewFiles());
        } catch (MigrationException e) {
            if (embedded) {
                stop(dataDir);
            }
            // One clear line for the build log instead of a wall of stack traces.
            throw new MigrationException("\n\n    " + e.getMessage().replace("\n", "\n    ") + "\n", null);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (var path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Stops the server whose process id PostgreSQL wrote into its data directory. */
    private static void stop(Path dataDir) throws IOException {
        var pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        var pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
        ProcessHandle.of(pid).ifPresent(postmaster -> {
            postmaster.destroy(); // SIGTERM: PostgreSQL's smart shutdown
            try {
                postmaster.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                postmaster.destroyForcibly();
            }
        });
    }
}
