package dev.vista.testing;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import liquibase.integration.commandline.LiquibaseCommandLine;

/**
 * Liquibase's own command line, run in process through its Java entry point, as the {@code liquibase} launcher runs
 * it with Vista's jar on the class path: {@code liquibase --changelog-file=db/changelog.xml --search-path=ROOT
 * --url=... <command>}. What the command writes (status, update-sql's script) goes to a file, returned as {@code output}.
 */
public record LiquibaseCli(int exit, String output) {

    /** Runs {@code command} (and its arguments) on the test database, with {@code root} (holding db/) as the search path. */
    public static LiquibaseCli run(HikariDataSource dataSource, Path root, String... command) {
        try {
            var output = Files.createTempFile("liquibase-", ".out");
            try {
                var args = new ArrayList<>(List.of(
                        "--changelog-file=db/changelog.xml",
                        "--search-path=" + root.toAbsolutePath(),
                        "--url=" + dataSource.getJdbcUrl(),
                        "--username=" + dataSource.getUsername(),
                        "--password=" + (dataSource.getPassword() == null ? "" : dataSource.getPassword()),
                        "--analytics-enabled=false",
                        "--show-banner=false",
                        "--output-file=" + output));
                args.addAll(List.of(command));
                var exit = new LiquibaseCommandLine().execute(args.toArray(String[]::new));
                return new LiquibaseCli(exit, Files.readString(output));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code command} with the project's own db/. */
    public static LiquibaseCli run(HikariDataSource dataSource, String... command) {
        return run(dataSource, TestDatabase.projectRoot(), command);
    }
}
