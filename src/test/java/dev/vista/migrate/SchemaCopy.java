package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;

// A copy of the project's db/ in a temporary directory, for tests that add, edit or delete view files and changesets.
final class SchemaCopy {

    private final Path root;

    private SchemaCopy(Path root) {
        this.root = root;
    }

    /** Copies the project's db/ into {@code directory}/db. */
    static SchemaCopy of(Path directory) {
        var source = TestDatabase.projectRoot().resolve("db");
        try (var paths = Files.walk(source)) {
            for (var path : paths.toList()) {
                var target = directory.resolve("db").resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SchemaCopy(directory);
    }

    Migrator migrator(DataSource dataSource) {
        return new Migrator(dataSource, ChangelogSource.directory(root));
    }

    void writeView(String name, String sql) {
        write(view(name), sql);
    }

    /** Replaces {@code from} (which must be there) with {@code to} in the view's file. */
    void editView(String name, String from, String to) {
        var text = read(view(name));
        assertThat(text).as("db/views/%s.sql", name).contains(from);
        write(view(name), text.replace(from, to));
    }

    void deleteView(String name) {
        try {
            Files.delete(view(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new versioned changeset, {@code db/tables/<id>.sql}, in Liquibase's formatted SQL. */
    void addChangeset(String id, String sql) {
        write(root.resolve("db/tables/" + id + ".sql"), "--liquibase formatted sql\n\n--changeset test:" + id + "\n" + sql + "\n");
    }

    private Path view(String name) {
        return root.resolve("db/views/" + name + ".sql");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path path, String text) {
        try {
            Files.writeString(path, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
