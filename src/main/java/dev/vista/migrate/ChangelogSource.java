package dev.vista.migrate;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.resource.Resource;
import liquibase.resource.ResourceAccessor;
import liquibase.resource.ZipResourceAccessor;

/**
 * Where {@code db/} is read from: the jar (the app) or a directory holding {@code db/} (the build, tests).
 * Both see the same paths, {@code db/changelog.xml} and {@code db/views/x.sql}, so Liquibase's record of
 * what ran is the same whichever ran it.
 */
public record ChangelogSource(ResourceAccessor accessor, String description) {

    static final String CHANGELOG = "db/changelog.xml";
    static final String VIEWS = "db/views";

    /**
     * The {@code db/} packaged with Vista itself: read from the jar or classes directory this class was loaded
     * from, not from the whole class path, where any other jar's {@code db/changelog.xml} would clash.
     */
    public static ChangelogSource classpath() {
        try {
            var location = Path.of(ChangelogSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                return new ChangelogSource(new DirectoryResourceAccessor(location), location.resolve("db").toString());
            }
            return new ChangelogSource(new ZipResourceAccessor(location), location + "!/db");
        } catch (URISyntaxException | FileNotFoundException | RuntimeException e) {
            return new ChangelogSource(new ClassLoaderResourceAccessor(ChangelogSource.class.getClassLoader()), "classpath:db/");
        }
    }

    /** A directory that contains {@code db/}, e.g. the project's root. */
    public static ChangelogSource directory(Path root) {
        try {
            return new ChangelogSource(new DirectoryResourceAccessor(root.toAbsolutePath()), root.toAbsolutePath().resolve("db").toString());
        } catch (FileNotFoundException e) {
            throw new MigrationException("no such directory: " + root.toAbsolutePath());
        }
    }

    /** Every {@code db/views/*.sql}, parsed, in file-name order (the order they are created in is worked out later). */
    public List<ViewFile> viewFiles() {
        return viewFiles(accessor, VIEWS);
    }

    /** Every {@code .sql} file directly in {@code directory}, parsed, in file-name order. */
    static List<ViewFile> viewFiles(ResourceAccessor accessor, String directory) {
        try {
            return accessor.search(directory, false).stream()
                    .filter(r -> r.getPath().endsWith(".sql"))
                    .sorted(Comparator.comparing(Resource::getPath))
                    .map(ChangelogSource::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ViewFile read(Resource resource) {
        try (var in = resource.openInputStream()) {
            var path = resource.getPath().startsWith("/") ? resource.getPath().substring(1) : resource.getPath();
            return ViewFile.parse(path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
