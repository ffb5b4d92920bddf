package dev.vista.bench;

import dev.vista.database.Database;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

// psql, when installed: the benchmark's reference client for bulk work (a bare INSERT, \copy to /dev/null).
record Psql(Path binary, String host, int port, String database, String user) {

    static Optional<Psql> find(Database db) {
        return Programs.find("psql").map(binary -> {
            var uri = URI.create(db.jdbcUrl().substring("jdbc:".length()));
            var name = uri.getPath() == null || uri.getPath().length() < 2 ? "postgres" : uri.getPath().substring(1);
            return new Psql(binary, uri.getHost(), uri.getPort() == -1 ? 5432 : uri.getPort(), name, db.user());
        });
    }

    /** Runs one command; its output goes to {@code out}, or straight to /dev/null for the null stream. */
    void run(String command, OutputStream out) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(List.of(binary.toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host,
                "-p", Integer.toString(port), "-U", user, "-d", database, "-c", command));
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        var discard = out == OutputStream.nullOutputStream();
        builder.redirectOutput(discard ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
        var process = builder.start();
        if (!discard) {
            process.getInputStream().transferTo(out);
        }
        var errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + errors.strip());
        }
    }
}
