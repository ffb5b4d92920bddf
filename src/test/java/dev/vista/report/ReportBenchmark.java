package dev.vista.report;

import dev.vista.Config;
import dev.vista.Vista;
import dev.vista.generated.DefaultSchema;
import dev.vista.seed.DemoData;
import dev.vista.testing.TestDatabase;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jooq.DSLContext;

/**
 * How the sources of {@code visits_summary} compare, and what HTTP adds to a page of rows. Not a test: a main
 * that seeds {@code bench.visits} visits (default 1M, 1000 users) into a fresh database and prints medians over
 * interleaved runs (after a round of warm-up, and many warm-up requests for HTTP), so that drift of the machine hits every contender alike.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.vista.report.ReportBenchmark \
 *     -Dbench.visits=1000000 -Dbench.runs=9
 * </pre>
 *
 * <p>{@link #sources} and {@link #httpOverhead} take any migrated, seeded database, for reuse by a bench suite.
 */
public final class ReportBenchmark {

    /** A measured contender: its name and its median in milliseconds over the runs. */
    public record Median(String name, double millis, int runs) {
    }

    static final int WARM_UP_REQUESTS = Integer.getInteger("bench.warmup", 300);

    private ReportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        // system properties, not arguments: exec:java's -Dexec.args would also replace the build's own exec arguments
        long visits = Long.parseLong(System.getProperty("bench.visits", "1000000").replace("_", ""));
        int runs = Integer.parseInt(System.getProperty("bench.runs", "9"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--visits" -> visits = Long.parseLong(args[i + 1].replace("_", ""));
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: ReportBenchmark [--visits N] [--runs N] (or -Dbench.visits, -Dbench.runs)");
            }
        }
        try (var dataSource = TestDatabase.migrated("bench")) {
            var dsl = TestDatabase.dsl(dataSource);
            var started = System.nanoTime();
            new DemoData(dsl, line -> System.out.println("seed: " + line)).seed(visits, 1000);
            dsl.execute("VACUUM ANALYZE");
            System.out.printf("seeded %,d visits in %.1f s%n", visits, (System.nanoTime() - started) / 1e9);

            var plans = reports(dataSource).compare(reports(dataSource).select("visits_summary", ReportQuery.all()));
            System.out.println("plans (EXPLAIN ANALYZE, once):");
            plans.sources().forEach(run -> System.out.printf("  %-14s top node %-16s execution %9.1f ms, %d rows%n",
                    run.source(), run.topNode(), run.executionMs(), run.rows()));
            var whole = sources(dataSource, ReportQuery.all(), runs);
            print("visits_summary, whole report (" + rowCount(dataSource) + " rows), all rows fetched", whole);
            var oneUser = sources(dataSource, ReportQuery.parse("user_id=eq.42"), runs);
            print("visits_summary?user_id=eq.42", oneUser);
            var http = httpOverhead(dataSource, runs * 11);
            print("a 100-row page: HTTP (JSON, Javalin), in-process API (transaction, jOOQ, JSON), plain JDBC", http);

            System.out.printf("%nRESULT visits=%d view/groupby=%.3f materialized/groupby=%.3f | user_id=eq.42: view/groupby=%.3f materialized/groupby=%.3f"
                            + " | page http/jdbc view=%.3f materialized=%.3f api/jdbc view=%.3f materialized=%.3f%n",
                    visits, ratio(whole, "view", "groupby"), ratio(whole, "materialized", "groupby"),
                    ratio(oneUser, "view", "groupby"), ratio(oneUser, "materialized", "groupby"),
                    ratio(http, "http view", "jdbc view"), ratio(http, "http materialized", "jdbc materialized"),
                    ratio(http, "api view", "jdbc view"), ratio(http, "api materialized", "jdbc materialized"));
        }
    }

    /**
     * Each source of visits_summary answering {@code query}, every row read (no JSON, no HTTP): what the database
     * does for each. Rounds run the sources in a shuffled order; the first round warms up and is not counted.
     */
    public static List<Median> sources(DataSource dataSource, ReportQuery query, int runs) throws Exception {
        var reports = reports(dataSource);
        var contenders = new LinkedHashMap<String, Callable<Long>>();
        for (var source : reports.report("visits_summary").sourceNames()) {
            var select = reports.select("visits_summary", query.withSource(source));
            contenders.put(source, () -> reports.stream(select, false, (total, cursor) -> {
                long rows = 0;
                for (var ignored : cursor) {
                    rows++;
                }
                return rows;
            }));
        }
        return interleaved(contenders, runs);
    }

    /**
     * The latency of {@code GET /api/reports/visits_summary?limit=100} (view and materialized source) against the
     * same SQL sent through plain JDBC on a pooled connection, every value read; in between, the same page through
     * {@link Reports#stream} and {@link JsonRows} in-process ("api"), which splits the overhead into the read-only
     * transaction and jOOQ on one side and HTTP on the other.
     */
    public static List<Median> httpOverhead(DataSource dataSource, int runs) throws Exception {
        var reports = reports(dataSource);
        var dsl = TestDatabase.dsl(dataSource);
        var app = Vista.app(config(), dataSource).start(0);
        try {
            var contenders = new LinkedHashMap<String, Callable<Long>>();
            for (var source : List.of("view", "materialized")) {
                var uri = URI.create("http://localhost:" + app.port() + "/api/reports/visits_summary?limit=100&source=" + source);
                contenders.put("http " + source, () -> get(uri));
                var page = reports.select("visits_summary", ReportQuery.all().withLimit(100).withSource(source));
                contenders.put("api " + source, () -> reports.stream(page, false, (total, cursor) ->
                        JsonRows.write(cursor, java.io.OutputStream.nullOutputStream())));
                contenders.put("jdbc " + source, () -> jdbc(dataSource, dsl, page.rows()));
            }
            // the JIT compiles the request path only after many requests: warm every contender well before timing
            for (int i = 0; i < WARM_UP_REQUESTS; i++) {
                for (var contender : contenders.values()) {
                    contender.call();
                }
            }
            return interleaved(contenders, runs);
        } finally {
            app.stop();
        }
    }

    /** A GET on the calling thread (HttpURLConnection keeps connections alive): no client-side thread hand-offs. */
    static long get(URI uri) throws Exception {
        var connection = (java.net.HttpURLConnection) uri.toURL().openConnection();
        try (var in = connection.getInputStream()) {
            if (connection.getResponseCode() != 200) {
                throw new IllegalStateException(uri + " answered " + connection.getResponseCode());
            }
            return in.readAllBytes().length;
        }
    }

    private static long jdbc(DataSource dataSource, DSLContext dsl, org.jooq.Query query) throws Exception {
        try (var connection = dataSource.getConnection();
             var statement = connection.prepareStatement(dsl.render(query))) {
            var binds = query.getBindValues();
            for (int i = 0; i < binds.size(); i++) {
                statement.setObject(i + 1, binds.get(i));
            }
            long rows = 0;
            try (var result = statement.executeQuery()) {
                var columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    for (int c = 1; c <= columns; c++) {
                        result.getObject(c);
                    }
                    rows++;
                }
            }
            return rows;
        }
    }

    /** Runs every contender once per round, in a new random order each round, and takes medians. */
    public static List<Median> interleaved(Map<String, Callable<Long>> contenders, int runs) throws Exception {
        var times = new LinkedHashMap<String, List<Double>>();
        contenders.keySet().forEach(name -> times.put(name, new ArrayList<>()));
        var order = new ArrayList<>(contenders.keySet());
        var random = new Random(42);
        var warmUp = Integer.getInteger("bench.warmupRounds", 1);
        for (int round = 1 - warmUp; round <= runs; round++) {
            Collections.shuffle(order, random);
            for (var name : order) {
                var started = System.nanoTime();
                contenders.get(name).call();
                var millis = (System.nanoTime() - started) / 1e6;
                if (round > 0) {
                    times.get(name).add(millis);
                }
            }
        }
        return times.entrySet().stream().map(e -> new Median(e.getKey(), median(e.getValue()), e.getValue().size())).toList();
    }

    static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        var n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double ratio(List<Median> medians, String numerator, String denominator) {
        return find(medians, numerator) / find(medians, denominator);
    }

    private static double find(List<Median> medians, String name) {
        return medians.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().millis();
    }

    private static void print(String title, List<Median> medians) {
        System.out.println();
        System.out.println(title);
        for (var median : medians) {
            System.out.printf("  %-20s %10.2f ms  (median of %d)%n", median.name(), median.millis(), median.runs());
        }
    }

    private static long rowCount(DataSource dataSource) {
        return reports(dataSource).count("visits_summary", ReportQuery.all());
    }

    private static Reports reports(DataSource dataSource) {
        return new Reports(TestDatabase.dsl(dataSource), ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA), config().statementTimeout());
    }

    private static Config config() {
        return Config.fromEnvironment(Map.of("VISTA_STATEMENT_TIMEOUT", "10m"));
    }
}
