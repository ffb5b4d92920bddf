package dev.vista.migrate;

import static java.util.stream.Collectors.joining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jooq.Constants;

/**
 * The views' keys as a jOOQ code generation configuration file: one synthetic primary key per view that has a key
 * ({@code -- vista:key}, or a materialized view's first {@code -- vista:unique-index}). The build writes it before
 * code generation, and {@code jooq-codegen-maven} appends it to the pom's configuration ({@code configurationFile}),
 * so no view is named in {@code pom.xml}.
 */
final class SyntheticKeys {

    private SyntheticKeys() {
    }

    static void write(Path target, List<ViewFile> files) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, configuration(files));
    }

    /**
     * jOOQ matches {@code <tables>} and {@code <field>} as regular expressions against the whole name (unqualified
     * or qualified), so a bare name is exact: {@code visits_summary} does not match {@code visits_summary_mv}.
     * View and column names in view files are plain lower-case identifiers ({@link ViewFile#parse}), with nothing
     * to escape in a regular expression or in XML.
     */
    static String configuration(List<ViewFile> files) {
        var keys = files.stream().filter(file -> !file.key().isEmpty()).map(file -> """
                <primaryKey>
                    <tables>%s</tables>
                    <fields>%s</fields>
                </primaryKey>
                """.formatted(file.name(), file.key().stream().map(column -> "<field>" + column + "</field>").collect(joining())))
                .collect(joining());
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <configuration xmlns="%s">
                    <!-- Written by the build (dev.vista.migrate.CodegenDatabase) from the keys in db/views/*.sql: do not edit. -->
                    <generator>
                        <database>
                            <syntheticObjects>
                                <primaryKeys>
                %s                </primaryKeys>
                            </syntheticObjects>
                        </database>
                    </generator>
                </configuration>
                """.formatted(Constants.NS_CODEGEN, keys.indent(20));
    }
}
