package dev.vista.bench;

import dev.vista.database.Database;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Vista serving the benchmark's database as a separate process with a 256 MB heap, so what the benchmark
 * measures over HTTP, and the peak RSS it reports, are Vista's own.
 */
final class VistaProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private VistaProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static VistaProcess start(Database database, PrintStream out) throws Exception {
        return start(database, out, Map.of());
    }

    /** As {@link #start(Database, PrintStream)}, with {@code environment} added to the server's (e.g. token settings, VISTA_READ_URL). */
    static VistaProcess start(Database database, PrintStream out, Map<String, String> environment) throws Exception {
        var port = freePort();
        var log = Files.createTempFile("vista-bench-server", ".log");
        var java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.vista.cli.Main", "serve"));
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("VISTA_DATABASE_URL", database.jdbcUrl());
        builder.environment().put("VISTA_DATABASE_USER", database.user());
        builder.environment().put("VISTA_PORT", Integer.toString(port));
        builder.environment().put("VISTA_ADMIN_TOKEN", "bench");
        // the bench refreshes what it measures itself; a scheduled refresh in the middle of a run would skew it
        builder.environment().put("VISTA_REFRESH_SCHEDULES", "off");
        // whole reports over 10M visits take longer than a production statement timeout; the bench measures them
        builder.environment().put("VISTA_STATEMENT_TIMEOUT", "30m");
        builder.environment().putAll(environment);
        var server = new VistaProcess(builder.start(), port, log);
        out.println("bench: Vista serving on port " + port + " (pid " + server.process.pid() + ", log " + log + ")");
        server.awaitHealthy();
        return server;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** The CPU time the process has used so far, user and system, where the platform tells it. */
    Optional<Duration> cpu() {
        return process.info().totalCpuDuration();
    }

    /** The process's peak resident set size so far (VmHWM), in MB. */
    double peakRssMegabytes() throws IOException {
        for (var line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    private void awaitHealthy() throws Exception {
        var client = HttpClient.newHttpClient();
        var deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Vista exited while starting: " + Files.readString(log));
            }
            try {
                var response = client.send(HttpRequest.newBuilder(URI.create(base() + "/health")).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Vista did not become healthy within 120 s; log: " + log);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
