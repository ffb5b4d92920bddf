package dev.vista.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

// A directory of the benchmark's own (a throwaway database, an editable db/), deleted with all it holds when closed.
record TemporaryDirectory(Path path) implements AutoCloseable {

    static TemporaryDirectory create(String prefix) throws IOException {
        return new TemporaryDirectory(Files.createTempDirectory(prefix));
    }

    @Override
    public void close() throws IOException {
        try (var paths = Files.walk(path)) {
            for (var file : paths.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
