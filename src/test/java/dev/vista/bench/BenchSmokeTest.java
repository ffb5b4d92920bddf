package dev.vista.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole benchmark suite at a tiny scale, so that it never rots; the real runs are not part of CI. */
class BenchSmokeTest {

    @Test
    void the_suite_runs_every_scenario_at_tiny_scale_and_writes_its_table(@TempDir Path dir) throws Exception {
        var output = dir.resolve("BENCHMARKS.md");
        var printed = new ByteArrayOutputStream();
        var options = new Bench.Options(10_000, 50, 1, 0, Optional.of(output), 1, 2, false, Set.of());
        var result = new Bench(Config.fromEnvironment(Map.of()), options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
        var log = printed.toString(StandardCharsets.UTF_8);
        System.out.print(log);

        // A scenario that throws is a failure here, not a line saying "n/a".
        assertThat(result.failures()).withFailMessage(() -> "scenarios failed:\n" + result.failures().stream()
                .map(f -> "  " + f.scenario() + ": " + f.message()).collect(Collectors.joining("\n")) + "\n\n" + log).isEmpty();
        assertThat(result.lines().stream().map(BenchReport.Line::scenario)).contains(
                "seed", "visits_summary (JDBC)", "visits_summary, one user's rows (JDBC, 50 users a round)", "user_stats (JDBC)",
                "visits_summary (jOOQ, Reports API)", "visits_summary (HTTP, 10,000-row page)", "user_stats (jOOQ, Reports API)",
                "user_stats (HTTP, 10,000-row page)", "visits_summary, one user's rows (jOOQ, Reports API, 50 users a round)",
                "refresh section_daily", "read section_daily, 1% of visits since its refresh", "readers of section_daily", "readers of section_daily_incremental", "migrate",
                "change section_daily (materialized) while a reader reads it", "100-row page of visits_summary_mv",
                "100-row report page of visits_summary_mv",
                "CSV export of visit_log", "CSV export of visits_summary (source=groupby)",
                "100-row page of visits_summary_mv, primary under insert load and refreshes");
        if (dev.vista.Vista.platformPollers(null, Runtime.version().feature(), System.getProperty("os.name", "")).isPresent()) {
            assertThat(result.lines()).anySatisfy(line -> assertThat(line.figure()).startsWith("Vista's CPU per page read each time"));
        }
        // here the embedded PostgreSQL can have a standby: no figure may be n/a
        assertThat(result.lines()).allSatisfy(line -> {
            assertThat(line.value()).as(line.figure() + " (" + line.verdict() + ")").matches("[0-9,.]+ (ms|µs|s|req/s|MB|KB).*");
            // Every goal gets a verdict (tiny scale is too noisy to ask for "met"); a figure without a goal gets none.
            if (line.goal().isEmpty()) {
                assertThat(line.verdict()).as(line.figure()).isEmpty();
            } else {
                assertThat(line.verdict()).as(line.figure()).isIn(BenchReport.MET, BenchReport.NOT_MET);
            }
        });
        assertThat(Files.readString(output)).startsWith("# Benchmarks").contains("## 10,000 visits", "| seed |", "PostgreSQL ");
        assertThat(log).contains("scenario", "verdict");
    }
}
