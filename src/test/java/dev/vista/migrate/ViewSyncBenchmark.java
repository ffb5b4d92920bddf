package dev.vista.migrate;

import dev.vista.seed.DemoData;
import dev.vista.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Times the view sync for the closing note of issue 3 (see README, "Adding or changing a view"):
 * <ol>
 *   <li>a migrate with nothing to do, with 20 view files besides the project's own;</li>
 *   <li>changing the view at the root of a three-level chain (visits_summary, then visits_summary_mv and
 *       daily_totals on it, then busiest_days on the materialized view) over 1M visits, against dropping and
 *       creating the same views by hand, with the same statements, in one transaction;</li>
 *   <li>how long a reader of a materialized view over those visits waits while the view is changed: Vista's
 *       side-by-side rebuild against DROP and CREATE by hand.</li>
 * </ol>
 * Runs on the tests' database server (embedded PostgreSQL 18, or {@code VISTA_TEST_DATABASE_URL}):
 * {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.vista.migrate.ViewSyncBenchmark}
 * (arguments: visits, default 1000000; runs, default 11).
 */
public final class ViewSyncBenchmark {

    static {
        // keep the output to the numbers
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    private ViewSyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        var visits = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        var runs = args.length > 1 ? Integer.parseInt(args[1]) : 11;
        noOpMigrate(runs);
        chainChange(visits, Math.max(3, runs / 2));
    }

    // ---------------------------------------------------------------- (a) nothing to do

    private static void noOpMigrate(int runs) throws Exception {
        var directory = Files.createTempDirectory("vista-bench-noop");
        var schema = SchemaCopy.of(directory);
        for (int i = 1; i <= 20; i++) {
            // a chain of simple views, each on the one before, so the order has to be worked out
            var source = i == 1 ? "page_visits" : "bench_view_%02d".formatted(i - 1);
            schema.writeView("bench_view_%02d".formatted(i), "-- Bench view %d\nSELECT id, user_id, section, duration_ms FROM %s WHERE duration_ms >= %d"
                    .formatted(i, source, i));
        }
        try (var dataSource = TestDatabase.fresh("bench_noop")) {
            var first = time(() -> schema.migrator(dataSource).migrate());
            System.out.printf("%n(a) no-op migrate, %d views (20 + the project's own)%n", ChangelogSource.directory(directory).viewFiles().size());
            System.out.printf("    first migrate (creates everything, JVM cold): %6.1f ms%n", first);
            var times = new ArrayList<Double>();
            for (int i = 0; i < runs; i++) {
                times.add(time(() -> {
                    var result = schema.migrator(dataSource).migrate();
                    if (!result.changedNothing()) {
                        throw new IllegalStateException("expected no changes, got: " + result.summary());
                    }
                    return result;
                }));
            }
            System.out.printf("    no-op migrate: first %.1f ms, median of %d %.1f ms (min %.1f, max %.1f)%n", times.getFirst(), runs,
                    median(times), times.stream().min(Comparator.naturalOrder()).orElseThrow(), times.stream().max(Comparator.naturalOrder()).orElseThrow());
        }
    }

    // ---------------------------------------------------------------- (b) a change at the root of a chain

    private static final String ROOT_CHANGE_FROM = "FROM page_visits\n";
    private static final String ROOT_CHANGE_TO = "FROM page_visits\nWHERE duration_ms >= 0\n";

    private static void chainChange(long visits, int runs) throws Exception {
        var directory = Files.createTempDirectory("vista-bench-chain");
        var schema = SchemaCopy.of(directory);
        schema.writeView("busiest_days", """
                -- Busiest days
                SELECT visit_date, sum(visits)::bigint AS visits, count(DISTINCT user_id) AS users
                FROM visits_summary_mv GROUP BY visit_date
                """);
        try (var dataSource = TestDatabase.fresh("bench_chain")) {
            schema.migrator(dataSource).migrate();
            var seeded = time(() -> {
                new DemoData(DemoData.using(dataSource), line -> { }).seed(visits, 1000);
                return null;
            });
            System.out.printf("%n(b) change the root of visits_summary -> visits_summary_mv, daily_totals -> busiest_days, %,d visits (seeded in %.1f s)%n",
                    visits, seeded / 1000);
            var vista = new ArrayList<Double>();
            var byHand = new ArrayList<Double>();
            for (int i = 0; i <= runs; i++) {
                // Vista: edit the root's file (alternately adding and removing a WHERE clause), then migrate.
                // By hand: the same views dropped and created again from the same files, in one transaction.
                // Which goes first alternates, and the first round only warms up.
                editRoot(schema, i % 2 == 0);
                Work migrate = () -> {
                    var result = schema.migrator(dataSource).migrate();
                    if (result.replace().size() != 4) {
                        throw new IllegalStateException("expected 4 views replaced, got: " + result.summary());
                    }
                    return result;
                };
                Work hand = () -> dropAndCreateByHand(dataSource, directory);
                var vistaFirst = i % 2 == 0;
                var first = time(vistaFirst ? migrate : hand);
                var second = time(vistaFirst ? hand : migrate);
                if (i > 0) {
                    vista.add(vistaFirst ? first : second);
                    byHand.add(vistaFirst ? second : first);
                }
            }
            System.out.printf("    Vista migrate:        median of %d %7.1f ms  %s%n", runs, median(vista), format(vista));
            System.out.printf("    drop/create by hand:  median of %d %7.1f ms  %s%n", runs, median(byHand), format(byHand));
            readersOfAChangedMaterializedView(dataSource, schema, directory);
        }
    }

    /**
     * (c) How long a reader of section_daily (a materialized view over all visits) waits while it is changed: Vista
     * builds the new version beside the old one; by hand, DROP and CREATE in one transaction lock it throughout.
     */
    private static void readersOfAChangedMaterializedView(DataSource dataSource, SchemaCopy schema, Path directory) throws Exception {
        schema.editView("section_daily", "FROM page_visits\nGROUP BY", "FROM page_visits\nWHERE duration_ms >= 0\nGROUP BY");
        var vista = new double[2];
        vista[1] = longestRead(dataSource, () -> {
            vista[0] = time(() -> schema.migrator(dataSource).migrate());
            return null;
        });
        var query = ChangelogSource.directory(directory).viewFiles().stream().filter(f -> f.name().equals("section_daily"))
                .findFirst().orElseThrow().query();
        var byHand = new double[2];
        byHand[1] = longestRead(dataSource, () -> {
            byHand[0] = time(() -> execute(dataSource, List.of(
                    "DROP MATERIALIZED VIEW section_daily",
                    "CREATE MATERIALIZED VIEW section_daily AS\n" + query,
                    "CREATE UNIQUE INDEX section_daily_visit_date_section_key ON section_daily (visit_date, section)")));
            return null;
        });
        System.out.printf("%n(c) change section_daily (materialized, over all visits), with a reader querying it all along%n");
        System.out.printf("    Vista (side by side): %7.1f ms, longest read meanwhile %7.1f ms%n", vista[0], vista[1]);
        System.out.printf("    drop/create by hand:  %7.1f ms, longest read meanwhile %7.1f ms%n", byHand[0], byHand[1]);
    }

    /** Runs the work while another connection reads section_daily in a loop; the longest single read, in milliseconds. */
    private static double longestRead(DataSource dataSource, Work work) throws Exception {
        var stop = new AtomicBoolean();
        var longest = new AtomicLong();
        var reader = Thread.ofPlatform().start(() -> {
            try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
                while (!stop.get()) {
                    var started = System.nanoTime();
                    statement.executeQuery("SELECT count(*) FROM section_daily").close();
                    longest.accumulateAndGet(System.nanoTime() - started, Math::max);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100); // let the reader get going
        work.run();
        stop.set(true);
        reader.join();
        return longest.get() / 1e6;
    }

    private static void editRoot(SchemaCopy schema, boolean addWhere) {
        if (addWhere) {
            schema.editView("visits_summary", ROOT_CHANGE_FROM, ROOT_CHANGE_TO);
        } else {
            schema.editView("visits_summary", ROOT_CHANGE_TO, ROOT_CHANGE_FROM);
        }
    }

    /** What someone would type into psql: DROP the chain top down, CREATE it bottom up, with the materialized view's indexes. */
    private static Void dropAndCreateByHand(DataSource dataSource, Path directory) throws SQLException {
        var files = ChangelogSource.directory(directory).viewFiles().stream().collect(Collectors.toMap(ViewFile::name, Function.identity()));
        var statements = List.of(
                "DROP VIEW busiest_days",
                "DROP MATERIALIZED VIEW visits_summary_mv",
                "DROP VIEW daily_totals",
                "DROP VIEW visits_summary",
                "CREATE VIEW visits_summary AS\n" + files.get("visits_summary").query(),
                "CREATE VIEW daily_totals AS\n" + files.get("daily_totals").query(),
                "CREATE MATERIALIZED VIEW visits_summary_mv AS\n" + files.get("visits_summary_mv").query(),
                "CREATE UNIQUE INDEX visits_summary_mv_user_id_section_visit_date_key ON visits_summary_mv (user_id, section, visit_date)",
                "CREATE INDEX visits_summary_mv_visit_date_idx ON visits_summary_mv (visit_date)",
                "CREATE VIEW busiest_days AS\n" + files.get("busiest_days").query());
        return execute(dataSource, statements);
    }

    /** The statements in one transaction. */
    private static Void execute(DataSource dataSource, List<String> statements) throws SQLException {
        try (var connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (var sql : statements) {
                try (var statement = connection.createStatement()) {
                    statement.execute(sql);
                }
            }
            connection.commit();
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers

    private interface Work {
        Object run() throws Exception;
    }

    /** Milliseconds the work took. */
    private static double time(Work work) throws Exception {
        var started = System.nanoTime();
        work.run();
        return (System.nanoTime() - started) / 1e6;
    }

    private static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        var middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> "%.0f".formatted(v)).collect(Collectors.joining(", ", "(runs: ", " ms)"));
    }
}
