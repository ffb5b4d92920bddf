package dev.vista.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * PgBouncer (Debian's package) in transaction pooling in front of one PostgreSQL on loopback, with fewer server
 * connections than Vista has clients, so transactions of different clients share server sessions. PgBouncer refuses
 * to run as root; as root it runs in a user namespace of its own ({@code unshare -U}, as zonky runs PostgreSQL). Where
 * there is no pgbouncer the calling test is skipped saying so ({@code apt-get install pgbouncer}).
 */
public final class PgBouncer implements AutoCloseable {

    private final Path directory;
    private final Process process;
    private final int port;

    private PgBouncer(Path directory, Process process, int port) {
        this.directory = directory;
        this.process = process;
        this.port = port;
    }

    /** PgBouncer serving {@code database} of the server on {@code serverPort}, as {@code database}, in transaction pooling. */
    public static PgBouncer start(int serverPort, String database, int serverConnections) {
        var binary = Stream.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer").map(Path::of)
                .filter(Files::isExecutable).findFirst();
        if (binary.isEmpty()) {
            abort("pgbouncer is not installed here (apt-get install pgbouncer): skipping the tests of reads through PgBouncer");
        }
        try {
            var directory = Files.createTempDirectory("vista-pgbouncer-");
            var port = HotStandby.freePort();
            var ini = directory.resolve("pgbouncer.ini");
            Files.writeString(ini, """
                    [databases]
                    %s = host=127.0.0.1 port=%d dbname=%s user=postgres

                    [pgbouncer]
                    listen_addr = 127.0.0.1
                    listen_port = %d
                    unix_socket_dir =
                    auth_type = any
                    pool_mode = transaction
                    default_pool_size = %d
                    max_client_conn = 200
                    ; PgJDBC sends it at start-up; PgBouncer does not track it
                    ignore_startup_parameters = extra_float_digits
                    logfile = %s
                    pidfile = %s
                    """.formatted(database, serverPort, database, port, serverConnections, directory.resolve("pgbouncer.log"),
                    directory.resolve("pgbouncer.pid")));
            var command = new ArrayList<String>();
            if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))) {
                command.addAll(List.of("/usr/bin/unshare", "-U"));
            }
            command.addAll(List.of(binary.get().toString(), ini.toString()));
            var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(directory.resolve("pgbouncer.out").toFile()).start();
            var bouncer = new PgBouncer(directory, process, port);
            try {
                Await.until("pgbouncer listening on " + port, Duration.ofSeconds(10), () -> !process.isAlive() || listening(port));
                if (!process.isAlive()) {
                    throw new IllegalStateException("pgbouncer exited: " + Files.readString(directory.resolve("pgbouncer.out")));
                }
            } catch (RuntimeException | AssertionError e) {
                bouncer.close();
                abort("could not start pgbouncer: " + e.getMessage() + "; skipping the tests of reads through PgBouncer");
            }
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean listening(int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: left behind at worst
        }
    }
}
