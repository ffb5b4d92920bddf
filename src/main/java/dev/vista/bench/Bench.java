package dev.vista.bench;

import dev.vista.config.Config;
import dev.vista.config.DatabaseConfig;
import dev.vista.database.Database;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code vista bench}: measures every claim Vista makes beside its reference, in one run on one machine,
 * the variants interleaved, and prints medians, ranges and ratios; writes them to BENCHMARKS.md.
 *
 * <p>References are what the claim is about: plain JDBC for the same SQL, psql's {@code \copy} for CSV (the
 * physical limit; PgJDBC's CopyManager into /dev/null when no psql is installed), a bare
 * {@code INSERT ... SELECT generate_series} for seeding, DROP and CREATE by hand for migrations. The HTTP
 * scenarios run Vista as its own process ({@code -Xmx256m}), so its peak RSS is Vista's alone.
 */
public final class Bench {

    /** {@code only}: the scenarios to run by name (the seed always runs: the others measure its data); empty: all. */
    public record Options(long visits, int users, int iterations, int warmups, Optional<Path> output, int httpSeconds,
                          int httpConnections, boolean replaceData, Set<String> only) {
        public static Options defaults() {
            return new Options(1_000_000, 1000, 5, 1, Optional.of(Path.of("BENCHMARKS.md")), 10, 8, false, Set.of());
        }

        boolean runs(Scenario scenario) {
            return only.isEmpty() || only.contains(scenario.name());
        }
    }

    /** Every scenario's name, in the order they run. */
    public static final List<String> SCENARIOS = List.of("seed", "reports", "refresh", "migrate", "side-by-side-rebuild", "sources", "http", "pages",
            "role-switch", "csv", "standby-reads");

    private final Config config;
    private final Options options;
    private final PrintStream out;
    private final BenchReport report = new BenchReport();

    public Bench(Config config, Options options, PrintStream out) {
        this.config = config;
        this.options = options;
        this.out = out;
    }

    /** Runs every scenario on a throwaway embedded PostgreSQL, or on the configured one with --replace-data. */
    public BenchResult run() throws Exception {
        var databaseConfig = config.database();
        if (!databaseConfig.isEmbedded()) {
            if (!options.replaceData()) {
                throw new IllegalArgumentException("bench replaces all data in the database; with VISTA_DATABASE_URL set, pass --replace-data");
            }
            return run(databaseConfig);
        }
        try (var directory = TemporaryDirectory.create("vista-bench")) {
            return run(DatabaseConfig.embedded(directory.path()));
        }
    }

    private BenchResult run(DatabaseConfig databaseConfig) throws Exception {
        try (var database = Database.open(databaseConfig)) {
            var context = BenchContext.of(database, options, report, out);
            out.println("bench: schema " + new Migrator(database.dataSource(), ChangelogSource.classpath()).migrate().summary());
            // Without its data nothing else measures anything: a failed seed ends the run.
            if (scenario(new SeedScenario(), context)) {
                for (var scenario : List.of(new ReportSourcesScenario(), new RefreshScenario(), new MigrateScenario(), new SideBySideRebuildScenario())) {
                    if (options.runs(scenario)) {
                        scenario(scenario, context);
                    }
                }
                var served = List.<Function<VistaProcess, Scenario>>of(ApiSourcesScenario::new, HttpPageScenario::new, PageScenario::new,
                        RoleSwitchScenario::new, CsvScenario::new, server -> new StandbyReadsScenario(server, databaseConfig, config.replicas()));
                // a scenario is named without its server (none is started when none of them runs)
                if (served.stream().anyMatch(scenario -> options.runs(scenario.apply(null)))) {
                    try (var server = VistaProcess.start(database, out)) {
                        for (var scenario : served) {
                            if (options.runs(scenario.apply(null))) {
                                scenario(scenario.apply(server), context);
                            }
                        }
                    }
                }
            }
            out.println();
            out.print(report.table());
            options.output().ifPresent(path -> out.println("bench: wrote " + path));
            var result = report.result();
            if (result.failed()) {
                out.println("bench: " + result.failures().size() + " scenario(s) failed: "
                        + String.join(", ", result.failures().stream().map(BenchResult.Failure::scenario).toList()));
            }
            return result;
        }
    }

    /**
     * Runs one scenario; a scenario that throws is recorded as failed, with its reason, and the next one runs.
     * The figures are written as soon as it ends, so a long run that fails late keeps the rest. True when it succeeded.
     */
    private boolean scenario(Scenario scenario, BenchContext context) throws Exception {
        out.println("bench: " + scenario.name());
        var succeeded = true;
        try {
            Quiet.settle(context);
            var millis = Timings.time(() -> scenario.run(context));
            out.println("bench: " + scenario.name() + " took " + BenchReport.millis(millis));
        } catch (Exception e) {
            var trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            out.println("bench: " + scenario.name() + " failed: " + trace);
            report.failed(scenario.name(), e);
            succeeded = false;
        }
        if (options.output().isPresent()) {
            var title = String.format(Locale.ROOT, "%,d visits", options.visits());
            BenchReport.write(options.output().get(), title, report.markdown(title, runDescription(context)));
        }
        return succeeded;
    }

    /** The lines above the table: when, at what scale, on what machine and PostgreSQL, with which command. */
    private List<String> runDescription(BenchContext context) throws SQLException {
        var lines = new ArrayList<String>();
        lines.add("date: " + LocalDate.now());
        lines.add(String.format(Locale.ROOT, "scale: %,d visits, %,d users; %d iterations after %d warm-up(s), interleaved",
                options.visits(), options.users(), options.iterations(), options.warmups()));
        lines.add("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + String.format(Locale.ROOT, "%.0f GiB", totalMemoryGiB()) + " memory; JDK " + Runtime.version());
        lines.add("PostgreSQL " + Jdbc.strings(context.dataSource(), "SHOW server_version").getFirst());
        lines.add("command: `java -jar target/vista.jar bench --visits " + options.visits() + "`");
        return lines;
    }

    private static double totalMemoryGiB() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException e) {
            // unknown below
        }
        return Double.NaN;
    }
}
