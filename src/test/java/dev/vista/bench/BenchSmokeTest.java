package dev.vista.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole benchmark suite at a tiny scale, so that it never rots; the real runs are not part of CI. */
class BenchSmokeTest {

    @Test
    void the_suite_runs_every_scenario_at_tiny_scale_and_writes_its_table(@TempDir Path dir) throws Exception {
        var output = dir.resolve("BENCHMARKS.md");
        var printed = new ByteArrayOutputStream();
        var options = new Bench.Options(10_000, 50, 1, 0, Optional.of(output), 1, 2, false);
        var lines = new Bench(Config.fromEnvironment(Map.of()), options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

        assertThat(Arrays.stream(lines).map(BenchReport.Line::scenario)).contains(
                "seed", "visits_summary (JDBC)", "visits_summary, one user's rows (JDBC, 50 users a round)", "user_stats (JDBC)", "visits_summary (jOOQ, Reports API)", "user_stats (HTTP, 10,000-row page)", "refresh section_daily", "migrate",
                "read section_daily, 1% of visits since its refresh", "readers of section_daily",
                "100-row page of visits_summary_mv", "CSV export of visit_log");
        assertThat(lines).allSatisfy(line -> assertThat(line.value()).matches("n/a|[0-9,.]+ (ms|s|req/s|MB).*"));
        var markdown = Files.readString(output);
        assertThat(markdown).startsWith("# Benchmarks").contains("## 10,000 visits", "| seed |", "PostgreSQL ");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("scenario", "verdict");
    }
}
