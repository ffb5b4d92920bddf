package dev.vista.bench;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.SECTION_DAILY;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import dev.vista.config.Config;
import dev.vista.config.DatabaseConfig;
import dev.vista.database.Database;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.ChangelogSource;
import dev.vista.migrate.Migrator;
import dev.vista.migrate.ViewFile;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.RefreshRequest;
import dev.vista.refresh.Refresher;
import dev.vista.refresh.Trigger;
import dev.vista.report.ReportCatalogue;
import dev.vista.report.ReportQuery;
import dev.vista.report.Reports;
import dev.vista.seed.DemoData;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;

/**
 * {@code vista bench}: measures every claim Vista makes beside its reference, in one run on one machine,
 * the variants interleaved, and prints medians, ranges and ratios; writes them to BENCHMARKS.md.
 *
 * <p>References are what the claim is about: plain JDBC for the same SQL, psql's {@code \copy} for CSV (the
 * physical limit; PgJDBC's CopyManager into /dev/null when no psql is installed), a bare
 * {@code INSERT ... SELECT generate_series} for seeding. The HTTP scenarios run Vista as its own process
 * ({@code -Xmx256m}), so its peak RSS is Vista's alone.
 */
public final class Bench {

    public record Options(long visits, int users, int iterations, int warmups, Optional<Path> output, int httpSeconds,
                          int httpConnections, boolean replaceData) {
        public static Options defaults() {
            return new Options(1_000_000, 1000, 5, 1, Optional.of(Path.of("BENCHMARKS.md")), 10, 8, false);
        }
    }

    private final Config config;
    private final Options options;
    private final PrintStream out;
    private final BenchReport report = new BenchReport();

    public Bench(Config config, Options options, PrintStream out) {
        this.config = config;
        this.options = options;
        this.out = out;
    }

    public BenchReport.Line[] run() throws Exception {
        Path temporary = null;
        var databaseConfig = config.database();
        if (databaseConfig.isEmbedded()) {
            temporary = Files.createTempDirectory("vista-bench");
            databaseConfig = DatabaseConfig.embedded(temporary);
        } else if (!options.replaceData()) {
            throw new IllegalArgumentException("bench replaces all data in the database; with VISTA_DATABASE_URL set, pass --replace-data");
        }
        try (var database = Database.open(databaseConfig)) {
            var dataSource = database.dataSource();
            var migration = new Migrator(dataSource, ChangelogSource.classpath()).migrate();
            out.println("bench: schema " + migration.summary());
            seed(database);
            // Each scenario's figures are written as soon as it ends, so a long run that fails late keeps the rest;
            // a scenario that fails is recorded as failed, with its reason, and the next one runs.
            scenario("reports", dataSource, () -> reports(dataSource));
            scenario("refresh", dataSource, () -> refreshes(dataSource));
            scenario("migrate", dataSource, () -> migrations(dataSource));
            try (var server = VistaProcess.start(database, out)) {
                scenario("sources", dataSource, () -> sources(dataSource, server));
                scenario("HTTP", dataSource, () -> http(dataSource, server));
                scenario("CSV", dataSource, () -> csv(database, server));
            }
            out.println();
            out.print(report.table());
            options.output().ifPresent(path -> out.println("bench: wrote " + path));
            return report.lines().toArray(BenchReport.Line[]::new);
        } finally {
            if (temporary != null) {
                deleteRecursively(temporary);
            }
        }
    }

    private void scenario(String name, DataSource dataSource, Timings.Work work) throws Exception {
        try {
            work.run();
        } catch (Exception e) {
            out.println("bench: " + name + " failed: " + e.getMessage());
            report.notApplicable(name, "(scenario failed)", "failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (options.output().isPresent()) {
            var title = String.format(Locale.ROOT, "%,d visits", options.visits());
            BenchReport.write(options.output().get(), title, report.markdown(title, context(dataSource)));
        }
    }

    // ------------------------------------------------------------------ scenarios

    private void seed(Database database) throws Exception {
        out.printf(Locale.ROOT, "bench: seeding %,d visits for %,d users%n", options.visits(), options.users());
        var dsl = DSL.using(database.dataSource(), SQLDialect.POSTGRES);
        var timing = new DemoData(dsl, refresher(database.dataSource()), Trigger.java, line -> out.println("bench: seed: " + line))
                .seed(options.visits(), options.users());
        // The reference: the same rows in one bare INSERT ... SELECT generate_series, into a copy of page_visits
        // with the same keys and indexes, as anyone would write it in psql.
        exec(database.dataSource(), """
                DROP TABLE IF EXISTS bench_bare_visits;
                CREATE TABLE bench_bare_visits (LIKE page_visits INCLUDING ALL);
                ALTER TABLE bench_bare_visits ADD FOREIGN KEY (user_id) REFERENCES users (id);
                CREATE INDEX ON bench_bare_visits (user_id);
                """);
        var bare = """
                INSERT INTO bench_bare_visits (user_id, section, visit_time, duration_ms)
                SELECT 1 + floor(random() * %d)::bigint,
                       ('{index,dashboard,settings,reports,profile,billing}'::text[])[1 + floor(random() * 6)::int],
                       now() - random() * interval '30 days',
                       (200 + random() * random() * 30000)::int
                FROM generate_series(1, %d)
                """.formatted(options.users(), options.visits());
        var psql = Psql.find(database);
        var started = System.nanoTime();
        if (psql.isPresent()) {
            psql.get().run(bare, OutputStream.nullOutputStream());
        } else {
            exec(database.dataSource(), bare);
        }
        var bareMillis = (System.nanoTime() - started) / 1e6;
        exec(database.dataSource(), "DROP TABLE bench_bare_visits");
        var seedMillis = timing.visits().toNanos() / 1e6;
        var rate = options.visits() / (seedMillis / 1e3);
        report.add(new BenchReport.Line("seed", "vista seed: visits with keys and indexes", millis(seedMillis) + String.format(Locale.ROOT, " (%,.0f rows/s)", rate),
                psql.isPresent() ? "bare INSERT ... generate_series in psql" : "bare INSERT ... generate_series via JDBC",
                millis(bareMillis) + String.format(Locale.ROOT, " (%,.0f rows/s)", options.visits() / (bareMillis / 1e3)),
                bareMillis / seedMillis, "speed-up >= 1.0", verdict(bareMillis / seedMillis >= 1.0)));
        report.note("seed ratio is the speed-up (reference time / Vista time); one run each at this scale; Vista's total including "
                + "the materialized view refresh: " + millis(timing.total().toNanos() / 1e6));
    }

    private void reports(DataSource dataSource) throws Exception {
        var summaryGroupBy = """
                SELECT user_id, section, (visit_time AT TIME ZONE 'UTC')::date AS visit_date, count(*) AS visits
                FROM page_visits GROUP BY user_id, section, visit_date""";
        var samples = Timings.interleaved(options.warmups(), options.iterations(), variants(Map.of(
                "groupby", summaryGroupBy,
                "view", "SELECT * FROM visits_summary",
                "materialized", "SELECT * FROM visits_summary_mv"), dataSource, "groupby", "view", "materialized"));
        var groupBy = samples.get("groupby");
        ratioLine("visits_summary (JDBC)", "view", samples.get("view"), "hand-written GROUP BY", groupBy, "1.00 ± 0.05",
                r -> Math.abs(r - 1) <= 0.05);
        ratioLine("visits_summary (JDBC)", "materialized", samples.get("materialized"), "hand-written GROUP BY", groupBy,
                "< 0.01 at 10M", r -> r < 0.01);

        // The other half of the talk's claim: a materialized view can be indexed. One user's rows, the way an
        // analyst drills into a report, answered from the view's unique index instead of aggregating that user's visits.
        var oneUser = Timings.interleaved(options.warmups(), options.iterations(), perUser(dataSource, Map.of(
                "groupby", summaryGroupBy.replace("FROM page_visits", "FROM page_visits WHERE user_id = ?"),
                "view", "SELECT * FROM visits_summary WHERE user_id = ?",
                "materialized", "SELECT * FROM visits_summary_mv WHERE user_id = ?"), "groupby", "view", "materialized"));
        var scenario = "visits_summary, one user's rows (JDBC, " + USERS_PER_ROUND + " users a round)";
        ratioLine(scenario, "view", oneUser.get("view"), "hand-written GROUP BY", oneUser.get("groupby"), "1.00 ± 0.05",
                r -> Math.abs(r - 1) <= 0.05);
        ratioLine(scenario, "materialized", oneUser.get("materialized"), "hand-written GROUP BY", oneUser.get("groupby"),
                "< 0.01 at 10M", r -> r < 0.01);

        var statsGroupBy = """
                SELECT u.id AS user_id, u.username, count(v.id) AS total_visits, min(v.visit_time) AS first_visit,
                       max(v.visit_time) AS last_visit, count(DISTINCT v.section) AS distinct_sections,
                       count(v.id) FILTER (WHERE v.visit_time >= now() - interval '30 days') AS visits_last_30_days
                FROM users u LEFT JOIN page_visits v ON v.user_id = u.id GROUP BY u.id, u.username""";
        var stats = Timings.interleaved(options.warmups(), options.iterations(), variants(Map.of(
                "groupby", statsGroupBy, "view", "SELECT * FROM user_stats"), dataSource, "groupby", "view"));
        ratioLine("user_stats (JDBC)", "view", stats.get("view"), "hand-written GROUP BY", stats.get("groupby"), "1.00 ± 0.05",
                r -> Math.abs(r - 1) <= 0.05);
    }

    /** The same comparison through Vista's Java API (jOOQ) and through its HTTP endpoint (a 10,000-row JSON page). */
    private void sources(DataSource dataSource, VistaProcess server) throws Exception {
        var reports = Reports.of(dataSource, Duration.ofMinutes(10));
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (var name : List.of("visits_summary", "user_stats")) {
            var sources = reports.report(name).sourceNames();
            var java = new LinkedHashMap<String, Timings.Work>();
            var web = new LinkedHashMap<String, Timings.Work>();
            for (var source : sources) {
                java.put(source, () -> reports.rows(name, ReportQuery.all().withSource(source)));
                var uri = URI.create(server.base() + "/api/reports/" + name + "?limit=10000&source=" + source);
                web.put(source, () -> {
                    var response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
                    }
                });
            }
            for (var way : List.of(Map.entry("jOOQ, Reports API", java), Map.entry("HTTP, 10,000-row page", web))) {
                var samples = Timings.interleaved(options.warmups(), options.iterations(), way.getValue());
                var groupBy = samples.get("groupby");
                ratioLine(name + " (" + way.getKey() + ")", "view", samples.get("view"), "source=groupby", groupBy, "1.00 ± 0.05",
                        r -> Math.abs(r - 1) <= 0.05);
                if (samples.containsKey("materialized")) {
                    ratioLine(name + " (" + way.getKey() + ")", "materialized", samples.get("materialized"), "source=groupby", groupBy,
                            "< 0.01 at 10M", r -> r < 0.01);
                }
            }
        }
    }

    private void refreshes(DataSource dataSource) throws Exception {
        var refresher = refresher(dataSource);
        var freshness = new Freshness(DSL.using(dataSource, SQLDialect.POSTGRES), ChangelogSource.classpath().viewFiles());
        var samples = Timings.interleaved(0, Math.min(options.iterations(), 3), new LinkedHashMap<>(Map.of(
                "full", () -> refresher.refresh(RefreshRequest.of("section_daily")),
                "concurrent", () -> refresher.refresh(RefreshRequest.of("section_daily").asConcurrent()))));
        var full = samples.get("full");
        ratioLine("refresh section_daily", "concurrent refresh", samples.get("concurrent"), "full refresh", full,
                "(costs more; readers never wait)", r -> true);

        // Incremental: each round appends 1% new visits, then refreshes section_daily_incremental (only the day
        // buckets the new rows touch) and, for reference, section_daily in full. Appended rows go at the end.
        var dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        var seeded = dsl.select(max(PAGE_VISITS.ID)).from(PAGE_VISITS).fetchOne(0, Long.class);
        var append = Math.max(1, options.visits() / 100);
        refresher.refresh(RefreshRequest.of("section_daily_incremental"));
        var incremental = new ArrayList<Double>();
        var reference = new ArrayList<Double>();
        for (int i = 0; i < Math.min(options.iterations(), 3); i++) {
            appendVisits(dataSource, append);
            incremental.add(Timings.time(() -> refresher.refresh(RefreshRequest.of("section_daily_incremental"))));
            reference.add(Timings.time(() -> refresher.refresh(RefreshRequest.of("section_daily"))));
        }
        ratioLine("refresh section_daily", "incremental refresh after +1% visits", new Timings.Samples("incremental", incremental),
                "full refresh", new Timings.Samples("full", reference), "< 0.10", r -> r < 0.10);

        // Real time: section_daily stale by 1% of new visits, read stored, in real time (stored rows united with
        // the touched buckets recomputed) and recomputed in full by its own query.
        appendVisits(dataSource, append);
        var query = ChangelogSource.classpath().viewFiles().stream().filter(f -> f.name().equals("section_daily")).findFirst()
                .orElseThrow().query();
        var reads = Timings.interleaved(options.warmups(), options.iterations(), new LinkedHashMap<>(Map.of(
                "stored", () -> dsl.selectFrom(SECTION_DAILY).fetch(),
                "realtime", () -> dsl.selectFrom(freshness.realtime(SECTION_DAILY).orElseThrow()).fetch(),
                "plain", () -> dsl.fetch(query))));
        ratioLine("read section_daily, 1% of visits since its refresh", "realtime=true read", reads.get("realtime"),
                "the view's query recomputed in full", reads.get("plain"), "< 0.5, and exact", r -> r < 0.5);
        ratioLine("read section_daily, 1% of visits since its refresh", "realtime=true read", reads.get("realtime"),
                "stored read (stale)", reads.get("stored"), "(what freshness costs)", r -> true);

        // Readers during a concurrent refresh: four clients read section_daily in a loop, once while it is
        // refreshed concurrently over and over, once while nothing else runs, for the same time.
        var during = readLatencies(dataSource, () -> refresher.refresh(RefreshRequest.of("section_daily").asConcurrent()));
        var idle = readLatencies(dataSource, null);
        report.add(new BenchReport.Line("readers of section_daily", "p99 read latency during concurrent refreshes",
                String.format(Locale.ROOT, "%.2f ms (%,d reads, longest %.1f ms)", p99(during), during.size(),
                        during.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)), "p99 with no refresh running",
                String.format(Locale.ROOT, "%.2f ms (%,d reads)", p99(idle), idle.size()), p99(during) / p99(idle),
                "< 2x the idle p99", verdict(p99(during) < 2 * p99(idle))));

        // Back to the seeded visits, every materialized view recomputed for the scenarios that follow.
        dsl.deleteFrom(PAGE_VISITS).where(PAGE_VISITS.ID.gt(seeded)).execute();
        dsl.deleteFrom(table(name("vista", "section_daily_incremental"))).execute();
        refresher.refreshAll(Trigger.java, true);
        report.note("incremental and real-time figures: each round appends 1% of the visits as new rows (visit_time now), "
                + "the way page_visits grows; section_daily_incremental declares its day buckets and watermark in db/views.");
    }

    /** Latencies of reads of section_daily by four clients while {@code background} runs in a loop (or for 3 s idle). */
    private static List<Double> readLatencies(DataSource dataSource, Timings.Work background) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Double>());
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var runs = new AtomicLong();
        try (var readers = Executors.newFixedThreadPool(4)) {
            for (int r = 0; r < 4; r++) {
                readers.submit(() -> {
                    var mine = new ArrayList<Double>();
                    while (!stop.get()) {
                        mine.add(Timings.time(() -> query(dataSource, "SELECT * FROM section_daily ORDER BY visit_date, section")));
                    }
                    latencies.addAll(mine);
                    return null;
                });
            }
            var until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until || background != null && runs.get() < 2) {
                if (background == null) {
                    Thread.sleep(50);
                } else {
                    background.run();
                    runs.incrementAndGet();
                }
            }
            stop.set(true);
        }
        return latencies;
    }

    private static double p99(List<Double> latencies) {
        var sorted = latencies.stream().sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
    }

    private static void appendVisits(DataSource dataSource, long count) throws SQLException {
        exec(dataSource, """
                INSERT INTO page_visits (user_id, section, visit_time, duration_ms)
                SELECT (SELECT min(id) FROM users) + floor(random() * (SELECT count(*) FROM users))::bigint,
                       (ARRAY['index','dashboard','settings','reports','profile','billing'])[1 + floor(random() * 6)::int],
                       now() - random() * interval '10 minutes',
                       (200 + random() * random() * 30000)::int
                FROM generate_series(1, %d)
                """.formatted(count));
    }

    private void migrations(DataSource dataSource) throws Exception {
        var migrator = new Migrator(dataSource, ChangelogSource.classpath());
        var samples = Timings.interleaved(options.warmups(), options.iterations(), Map.of("noop", migrator::migrate));
        var noop = samples.get("noop");
        report.add(new BenchReport.Line("migrate", "no-op migrate, all views", millis(noop.median()) + range(noop), "", "",
                Double.NaN, "well under 1 s", verdict(noop.median() < 1000)));
        chainChange(dataSource);
    }

    /**
     * A change at the root of a dependency chain: visits_summary gains (then loses) a WHERE clause, and
     * daily_totals and visits_summary_mv (repopulated, with its indexes) depend on it. Vista's migrate against
     * what someone would type into psql: the chain dropped top down and created bottom up in one transaction.
     */
    private void chainChange(DataSource dataSource) throws Exception {
        var directory = Files.createTempDirectory("vista-bench-db");
        try {
            var views = directory.resolve("db/views");
            Files.createDirectories(views);
            Files.createDirectories(directory.resolve("db/tables"));
            copyDb(directory);
            var root = views.resolve("visits_summary.sql");
            var original = Files.readString(root);
            var edited = original.replace("FROM page_visits\n", "FROM page_visits\nWHERE duration_ms >= 0\n");
            if (edited.equals(original)) {
                report.notApplicable("migrate", "change at the root of a dependency chain", "visits_summary.sql has no 'FROM page_visits' line to edit");
                return;
            }
            var indexes = DSL.using(dataSource, SQLDialect.POSTGRES).resultQuery(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'visits_summary_mv'").fetch(0, String.class);
            var vista = new ArrayList<Double>();
            var byHand = new ArrayList<Double>();
            int rounds = Math.max(3, Math.min(options.iterations(), 5));
            for (int i = 0; i <= rounds; i++) {
                Files.writeString(root, i % 2 == 0 ? edited : original);
                var source = ChangelogSource.directory(directory);
                Timings.Work migrate = () -> {
                    var result = new Migrator(dataSource, source).migrate();
                    if (!result.replace().contains("visits_summary")) {
                        throw new IllegalStateException("expected visits_summary to be replaced, got: " + result.summary());
                    }
                };
                Timings.Work hand = () -> dropAndCreateByHand(dataSource, source, indexes);
                var vistaFirst = i % 2 == 0;
                var first = Timings.time(vistaFirst ? migrate : hand);
                var second = Timings.time(vistaFirst ? hand : migrate);
                if (i > 0) { // the first round warms up
                    vista.add(vistaFirst ? first : second);
                    byHand.add(vistaFirst ? second : first);
                }
            }
            Files.writeString(root, original);
            new Migrator(dataSource, ChangelogSource.directory(directory)).migrate();
            ratioLine("migrate", "change at the root of visits_summary -> daily_totals, visits_summary_mv",
                    new Timings.Samples("vista", vista), "DROP + CREATE of the chain by hand, one transaction",
                    new Timings.Samples("hand", byHand), "about 1.0 (same work, found automatically)", r -> r < 1.5);
        } finally {
            deleteRecursively(directory);
        }
    }

    /** db/ as packaged with Vista, copied into {@code directory}, so one file can be edited. */
    private static void copyDb(Path directory) throws IOException {
        var accessor = ChangelogSource.classpath().accessor();
        for (var resource : accessor.search("db", true)) {
            var path = resource.getPath().replaceFirst("^/", "");
            var target = directory.resolve(path.substring(path.indexOf("db/")));
            Files.createDirectories(target.getParent());
            try (var in = resource.openInputStream()) {
                Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void dropAndCreateByHand(DataSource dataSource, ChangelogSource source, List<String> indexes) throws SQLException {
        var files = source.viewFiles().stream().collect(java.util.stream.Collectors.toMap(ViewFile::name, f -> f.query()));
        var statements = new ArrayList<>(List.of(
                "DROP MATERIALIZED VIEW visits_summary_mv",
                "DROP VIEW daily_totals",
                "DROP VIEW visits_summary",
                "CREATE VIEW visits_summary AS\n" + files.get("visits_summary"),
                "CREATE VIEW daily_totals AS\n" + files.get("daily_totals"),
                "CREATE MATERIALIZED VIEW visits_summary_mv AS\n" + files.get("visits_summary_mv")));
        statements.addAll(indexes);
        try (var connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (var sql : statements) {
                try (var statement = connection.createStatement()) {
                    statement.execute(sql);
                }
            }
            connection.commit();
        }
    }

    private void http(DataSource dataSource, VistaProcess server) throws Exception {
        var page = URI.create(server.base() + "/api/reports/visits_summary_mv");
        var jdbc = "SELECT * FROM visits_summary_mv ORDER BY user_id, section, visit_date LIMIT 100";
        // A served page goes through Jetty, Javalin, jOOQ, PgJDBC and Jackson: the server's JIT compiles them
        // under load first (as it would have in production), then latency and throughput are measured.
        var seconds = Duration.ofSeconds(options.httpSeconds());
        Load.run(page, options.httpConnections(), seconds.multipliedBy(2));
        // Latency: one client, one request at a time, in rounds of two seconds (at the default 10 s of load), alternating with the same query
        // through plain JDBC (autocommit, a prepared statement, every value read), as a Java client would run it.
        var http = new ArrayList<Double>();
        var jdbcMillis = new ArrayList<Double>();
        var round = Duration.ofMillis(Math.max(1000, options.httpSeconds() * 200L));
        for (int i = 0; i < Math.max(3, options.iterations()); i++) {
            http.add(Load.run(page, 1, round).p50());
            jdbcMillis.add(jdbcMedian(dataSource, jdbc, round));
        }
        ratioLine("100-row page of visits_summary_mv", "HTTP endpoint latency (p50, one client)", new Timings.Samples("http", http),
                "same query via JDBC", new Timings.Samples("jdbc", jdbcMillis), "< 1.5", r -> r < 1.5);

        var load = Load.run(page, options.httpConnections(), seconds);
        report.add(new BenchReport.Line("100-row page of visits_summary_mv", options.httpConnections() + " connections for "
                + options.httpSeconds() + " s (" + load.client() + ")", String.format(Locale.ROOT, "%,.0f req/s (p50 %.2f ms, p99 %.2f ms, %d errors)",
                load.requestsPerSecond(), load.p50(), load.p99(), load.errors()), "Spring Boot 4 + JPA / Django 5.2 (measured here earlier)",
                "about 2,600 req/s", load.requestsPerSecond() / 2600, ">= 5,000 req/s", verdict(load.requestsPerSecond() >= 5000)));
    }

    /** The median time of a query run over and over for {@code duration} on one connection, every value read. */
    private static double jdbcMedian(DataSource dataSource, String sql, Duration duration) throws SQLException {
        var millis = new ArrayList<Double>();
        try (var connection = dataSource.getConnection(); var statement = connection.prepareStatement(sql)) {
            var until = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < until) {
                var started = System.nanoTime();
                try (var rows = statement.executeQuery()) {
                    readAll(rows);
                }
                millis.add((System.nanoTime() - started) / 1e6);
            }
        }
        return new Timings.Samples("jdbc", millis).median();
    }

    private void csv(Database database, VistaProcess server) throws Exception {
        var psql = Psql.find(database);
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var exports = new LinkedHashMap<String, String>();
        // The reference runs exactly the query Vista runs (the report's key order included), as jOOQ renders it.
        var catalogue = ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, ChangelogSource.classpath().viewFiles());
        var renderer = DSL.using(SQLDialect.POSTGRES);
        var urls = Map.of("visit_log", "/api/reports/visit_log.csv",
                "visits_summary (source=groupby)", "/api/reports/visits_summary.csv?source=groupby");
        exports.put("visit_log", renderer.renderInlined(
                dev.vista.report.ReportSelect.of(catalogue.get("visit_log"), ReportQuery.parse("")).rows()));
        exports.put("visits_summary (source=groupby)", renderer.renderInlined(
                dev.vista.report.ReportSelect.of(catalogue.get("visits_summary"), ReportQuery.parse("source=groupby")).rows()));
        for (var export : exports.entrySet()) {
            var counter = new CountingStream();
            var uri = URI.create(server.base() + urls.get(export.getKey()));
            var rows = query(database.dataSource(), "SELECT count(*) FROM (" + export.getValue() + ") AS q", true);
            var samples = Timings.interleaved(0, Math.min(options.iterations(), 3), new LinkedHashMap<>(Map.of(
                    "vista", () -> {
                        var response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
                        try (var body = response.body()) {
                            body.transferTo(counter.reset());
                        }
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
                        }
                    },
                    "reference", () -> {
                        if (psql.isPresent()) {
                            psql.get().run("\\copy (" + export.getValue().replace("\n", " ") + ") TO STDOUT WITH CSV HEADER",
                                    OutputStream.nullOutputStream());
                        } else {
                            try (var connection = database.dataSource().getConnection()) {
                                connection.unwrap(PGConnection.class).getCopyAPI().copyOut(
                                        "COPY (" + export.getValue() + ") TO STDOUT WITH (FORMAT csv, HEADER)", OutputStream.nullOutputStream());
                            }
                        }
                    })));
            var bytes = counter.count();
            var vista = samples.get("vista");
            var reference = samples.get("reference");
            var throughput = reference.median() / vista.median();
            report.add(new BenchReport.Line("CSV export of " + export.getKey(), "Vista's CSV endpoint", millis(vista.median())
                    + rate(rows, bytes, vista.median()), psql.isPresent() ? "psql \\copy ... TO STDOUT CSV > /dev/null" : "COPY via PgJDBC into a null stream",
                    millis(reference.median()) + rate(rows, bytes, reference.median()), throughput, "throughput >= 0.9 of the reference",
                    verdict(throughput >= 0.9)));
        }
        var rss = server.peakRssMegabytes();
        report.add(new BenchReport.Line("CSV export of visit_log", "peak RSS of the Vista process (-Xmx256m)", String.format(Locale.ROOT, "%.0f MB", rss),
                "", "", Double.NaN, "< 400 MB", verdict(rss < 400)));
        report.note("CSV ratios are throughput ratios (reference time / Vista time): 1.0 means as fast as psql's \\copy into /dev/null.");
    }

    private static Refresher refresher(DataSource dataSource) {
        var files = ChangelogSource.classpath().viewFiles();
        return Refresher.of(dataSource, files, new Freshness(DSL.using(dataSource, SQLDialect.POSTGRES), files), Duration.ofHours(2));
    }

    private static String rate(long rows, long bytes, double millis) {
        return String.format(Locale.ROOT, " (%,.0f rows/s, %.0f MB/s)", rows / (millis / 1e3), bytes / 1e6 / (millis / 1e3));
    }

    private List<String> context(DataSource dataSource) throws SQLException {
        var context = new ArrayList<String>();
        context.add("date: " + LocalDate.now());
        context.add(String.format(Locale.ROOT, "scale: %,d visits, %,d users; %d iterations after %d warm-up(s), interleaved",
                options.visits(), options.users(), options.iterations(), options.warmups()));
        context.add("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + String.format(Locale.ROOT, "%.0f GiB", totalMemoryGiB()) + " memory; JDK " + Runtime.version());
        try (var connection = dataSource.getConnection(); var rows = connection.createStatement().executeQuery("SHOW server_version")) {
            rows.next();
            context.add("PostgreSQL " + rows.getString(1));
        }
        context.add("command: `java -jar target/vista.jar bench --visits " + options.visits() + "`");
        return context;
    }

    // ------------------------------------------------------------------ helpers

    /** Users whose rows one round of {@link #perUser} reads, one query each, spread over all users. */
    static final int USERS_PER_ROUND = 50;

    /** Each variant reads the rows of {@link #USERS_PER_ROUND} users with its prepared query on one connection. */
    private Map<String, Timings.Work> perUser(DataSource dataSource, Map<String, String> sql, String... order) {
        var variants = new LinkedHashMap<String, Timings.Work>();
        for (var name : order) {
            variants.put(name, () -> {
                try (var connection = dataSource.getConnection(); var statement = connection.prepareStatement(sql.get(name))) {
                    for (int i = 0; i < USERS_PER_ROUND; i++) {
                        statement.setLong(1, 1 + (long) i * options.users() / USERS_PER_ROUND);
                        try (var rows = statement.executeQuery()) {
                            readAll(rows);
                        }
                    }
                }
            });
        }
        return variants;
    }

    private Map<String, Timings.Work> variants(Map<String, String> sql, DataSource dataSource, String... order) {
        var variants = new LinkedHashMap<String, Timings.Work>();
        for (var name : order) {
            variants.put(name, () -> query(dataSource, sql.get(name)));
        }
        return variants;
    }

    /** Runs a query and reads every row, as a client would. */
    static long query(DataSource dataSource, String sql) throws SQLException {
        return query(dataSource, sql, false);
    }

    /** Runs a query; with {@code firstValue}, returns its first column's value instead of counting rows. */
    static long query(DataSource dataSource, String sql, boolean firstValue) throws SQLException {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.setFetchSize(10_000);
            long rows;
            try (var result = statement.executeQuery(sql)) {
                if (firstValue) {
                    result.next();
                    return result.getLong(1);
                }
                rows = readAll(result);
            }
            connection.commit();
            return rows;
        }
    }

    /** Reads every value of every row, as a client would, and returns the number of rows. */
    private static long readAll(ResultSet result) throws SQLException {
        var columns = result.getMetaData().getColumnCount();
        long rows = 0;
        while (result.next()) {
            for (int i = 1; i <= columns; i++) {
                result.getObject(i);
            }
            rows++;
        }
        return rows;
    }

    static void exec(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private void ratioLine(String scenario, String figure, Timings.Samples value, String reference, Timings.Samples base,
                           String goal, Function<Double, Boolean> met) {
        var ratio = value.median() / base.median();
        report.add(new BenchReport.Line(scenario, figure, millis(value.median()) + range(value), reference,
                millis(base.median()) + range(base), ratio, goal, verdict(met.apply(ratio))));
    }

    static String millis(double millis) {
        return millis >= 1000 ? String.format(Locale.ROOT, "%.2f s", millis / 1000) : String.format(Locale.ROOT, "%.2f ms", millis);
    }

    static String range(Timings.Samples samples) {
        return " [" + millis(samples.min()) + "–" + millis(samples.max()) + "]";
    }

    static String verdict(boolean met) {
        return met ? "met" : "not met";
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

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (var path : paths.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Counts what it is given and throws it away: /dev/null with a meter. */
    static final class CountingStream extends OutputStream {
        private final AtomicLong count = new AtomicLong();

        CountingStream reset() {
            count.set(0);
            return this;
        }

        long count() {
            return count.get();
        }

        @Override
        public void write(int b) {
            count.incrementAndGet();
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count.addAndGet(len);
        }
    }

    /**
     * A closed-loop load: {@code connections} clients each sending the next request when the last one answered.
     * With wrk on the PATH, wrk makes it (two threads, as light a client as there is); otherwise Java's own
     * HTTP client, which costs more CPU per request and so leaves the server less of this machine.
     */
    record Load(double requestsPerSecond, double p50, double p99, long errors, String client) {
        static Load run(URI uri, int connections, Duration duration) throws Exception {
            var wrk = wrk();
            return wrk.isPresent() ? runWrk(wrk.get(), uri, connections, duration) : runJava(uri, connections, duration);
        }

        private static Optional<Path> wrk() {
            return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                    .map(dir -> Path.of(dir, "wrk")).filter(Files::isExecutable).findFirst();
        }

        private static Load runWrk(Path wrk, URI uri, int connections, Duration duration) throws Exception {
            var process = new ProcessBuilder(wrk.toString(), "-t" + Math.min(2, connections), "-c" + connections, "-d" + Math.max(1, duration.toSeconds()) + "s",
                    "--latency", uri.toString()).redirectErrorStream(true).start();
            var output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("wrk failed: " + output);
            }
            var rate = find(output, "Requests/sec:\\s+([0-9.]+)");
            var errors = (long) (find(output, "Non-2xx or 3xx responses:\\s+([0-9]+)")
                    + java.util.regex.Pattern.compile("(connect|read|write|timeout) ([0-9]+)").matcher(output).results()
                            .mapToLong(m -> Long.parseLong(m.group(2))).sum());
            return new Load(rate, wrkMillis(output, "50%"), wrkMillis(output, "99%"), errors, "wrk");
        }

        private static double find(String output, String regex) {
            var matcher = java.util.regex.Pattern.compile(regex).matcher(output);
            return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
        }

        /** A latency line of wrk's distribution, e.g. "99%    3.64ms", in milliseconds. */
        private static double wrkMillis(String output, String percentile) {
            var matcher = java.util.regex.Pattern.compile("\\s" + percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(output);
            if (!matcher.find()) {
                return Double.NaN;
            }
            var value = Double.parseDouble(matcher.group(1));
            return switch (matcher.group(2)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            };
        }

        private static Load runJava(URI uri, int connections, Duration duration) throws Exception {
            var latencies = Collections.synchronizedList(new ArrayList<Double>());
            var errors = new AtomicLong();
            var deadline = System.nanoTime() + duration.toNanos();
            var started = System.nanoTime();
            try (var pool = Executors.newFixedThreadPool(connections)) {
                for (int c = 0; c < connections; c++) {
                    pool.submit(() -> {
                        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                        var request = HttpRequest.newBuilder(uri).GET().build();
                        var mine = new ArrayList<Double>();
                        while (System.nanoTime() < deadline) {
                            var t = System.nanoTime();
                            try {
                                var response = client.send(request, HttpResponse.BodyHandlers.discarding());
                                if (response.statusCode() != 200) {
                                    errors.incrementAndGet();
                                }
                            } catch (Exception e) {
                                errors.incrementAndGet();
                            }
                            mine.add((System.nanoTime() - t) / 1e6);
                        }
                        latencies.addAll(mine);
                        return null;
                    });
                }
            }
            var seconds = (System.nanoTime() - started) / 1e9;
            var sorted = latencies.stream().sorted().toList();
            if (sorted.isEmpty()) {
                return new Load(0, Double.NaN, Double.NaN, errors.get(), "java.net.http");
            }
            return new Load(sorted.size() / seconds, sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)), errors.get(), "java.net.http");
        }
    }
}
