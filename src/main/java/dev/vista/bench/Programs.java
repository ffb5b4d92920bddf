package dev.vista.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

// The native tools the benchmark prefers when installed (psql, wrk, curl): found on the PATH, as a shell finds them.
final class Programs {

    private Programs() {
    }

    /** The first executable called {@code name} on the PATH. */
    static Optional<Path> find(String name) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir.isEmpty() ? "." : dir, name)).filter(Files::isExecutable).findFirst();
    }
}
