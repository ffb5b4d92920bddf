package dev.vista;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shape of the code, read from its sources: packages import downward only, and only web/ (and its subpackages) speaks HTTP. */
class ArchitectureTest {

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([a-z][\\w.]*?)\\.[A-Z]", Pattern.MULTILINE);

    /** Package (without {@code dev.vista}) to the packages it imports (Vista's own, and a few outside ones that matter). */
    static Map<String, Set<String>> imports;

    @BeforeAll
    static void read() throws IOException {
        imports = new TreeMap<>();
        var root = TestDatabase.projectRoot().resolve("src/main/java/dev/vista");
        try (var files = Files.walk(root)) {
            for (var file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                var name = packageOf(root, file);
                var used = imports.computeIfAbsent(name, k -> new TreeSet<>());
                var matcher = IMPORT.matcher(Files.readString(file));
                while (matcher.find()) {
                    var imported = matcher.group(1);
                    if (imported.startsWith("dev.vista")) {
                        var own = imported.equals("dev.vista") ? "" : imported.substring("dev.vista.".length());
                        if (!own.equals(name)) {
                            used.add(own);
                        }
                    } else if (imported.startsWith("io.javalin") || imported.startsWith("org.eclipse.jetty")) {
                        used.add("(http)");
                    }
                }
            }
        }
    }

    @Test
    void there_is_no_import_cycle_between_packages() {
        var cycles = new ArrayList<String>();
        for (var start : imports.keySet()) {
            findCycle(start, start, new ArrayList<>(List.of(start)), cycles);
        }
        assertThat(cycles).as("import cycles (each package -> what it imports)").isEmpty();
    }

    @Test
    void only_web_and_the_app_speak_http() {
        imports.forEach((name, used) -> {
            if (name.equals("bench")) {
                // the benchmark measures HTTP from outside: it may start a bare Jetty as a reference, never use web's code
                assertThat(used).as(name + " imports").doesNotContain("web");
            } else if (!name.equals("web") && !name.startsWith("web.") && !name.isEmpty()) {
                assertThat(used).as(name + " imports").doesNotContain("(http)", "web");
            }
        });
    }

    @Test
    void the_code_that_runs_before_code_generation_does_not_use_the_generated_classes() {
        for (var name : List.of("config", "database", "migrate")) {
            assertThat(imports.get(name)).as(name + " imports").doesNotContain("generated", "report", "refresh", "seed", "csv", "web");
        }
    }

    private static void findCycle(String start, String at, List<String> path, List<String> cycles) {
        for (var next : imports.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                findCycle(start, next, path, cycles);
                path.removeLast();
            }
        }
    }

    private static String packageOf(Path root, Path file) {
        var relative = root.relativize(file.getParent()).toString();
        return relative.replace('/', '.');
    }
}
