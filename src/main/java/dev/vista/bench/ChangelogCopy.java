package dev.vista.bench;

import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.sql.DataSource;

// db/ as packaged with Vista, copied into a temporary directory, so the benchmark can edit view files and migrate.
final class ChangelogCopy implements AutoCloseable {

    private final TemporaryDirectory directory;

    private ChangelogCopy(TemporaryDirectory directory) {
        this.directory = directory;
    }

    static ChangelogCopy create() throws IOException {
        var directory = TemporaryDirectory.create("vista-bench-db");
        var accessor = ChangelogSource.classpath().accessor();
        for (var resource : accessor.search("db", true)) {
            var path = resource.getPath().replaceFirst("^/", "");
            var target = directory.path().resolve(path.substring(path.indexOf("db/")));
            Files.createDirectories(target.getParent());
            try (var in = resource.openInputStream()) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.createDirectories(directory.path().resolve("db/tables"));
        Files.createDirectories(directory.path().resolve("db/views"));
        return new ChangelogCopy(directory);
    }

    /** The copy as it is now, for a migrator. */
    ChangelogSource source() {
        return ChangelogSource.directory(directory.path());
    }

    Migrator migrator(DataSource dataSource) {
        return new Migrator(dataSource, source());
    }

    /** The {@code SELECT} of a view's file, as the copy has it now. */
    String query(String view) {
        return source().viewFiles().stream().filter(f -> f.name().equals(view)).findFirst()
                .orElseThrow(() -> new IllegalStateException("db/views has no " + view + ".sql")).query();
    }

    /** Replaces {@code from} with {@code to} in a view's file; fails if the file does not contain {@code from}. */
    void edit(String view, String from, String to) throws IOException {
        var text = Files.readString(file(view));
        if (!text.contains(from)) {
            throw new IllegalStateException("db/views/" + view + ".sql no longer contains " + from.strip() + ": update the benchmark's edit");
        }
        Files.writeString(file(view), text.replace(from, to));
    }

    void write(String view, String text) throws IOException {
        Files.writeString(file(view), text);
    }

    void delete(String view) throws IOException {
        Files.delete(file(view));
    }

    private Path file(String view) {
        return directory.path().resolve("db/views/" + view + ".sql");
    }

    @Override
    public void close() throws IOException {
        directory.close();
    }
}
