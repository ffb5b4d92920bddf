package dev.vista.bench;

import dev.vista.Vista;
import dev.vista.report.ReportQuery;
import dev.vista.report.Reports;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A 100-row page of visits_summary_mv, the request an API client repeats: its latency from one client and its
 * throughput under load, each beside the same query over plain JDBC (prepared, every value read), which is what
 * the database itself can do; the load and the reference alternate, round by round.
 */
final class HttpPageScenario implements Scenario {

    private static final String SCENARIO = "100-row page of visits_summary_mv";
    private static final String PAGE = "SELECT * FROM visits_summary_mv ORDER BY user_id, section, visit_date LIMIT 100";

    /**
     * The least rounds of the throughput lines: on two cores one round of a few seconds moves by a sixth either way
     * (with the reference in step, mostly), so the verdict is the median of this many rounds' own ratios.
     */
    private static final int THROUGHPUT_ROUNDS = 7;

    /** How many times the connections the crowded line opens: 256 at the default 8, as many as a busy dashboard makes. */
    private static final int MANY_TIMES = 32;

    private final VistaProcess server;

    HttpPageScenario(VistaProcess server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var options = context.options();
        var page = page(server);
        // A served page goes through Jetty, Javalin, jOOQ, PgJDBC and Jackson: the server's JIT compiles them
        // under load first (as it would have in production), then latency and throughput are measured.
        HttpLoad.run(page, options.httpConnections(), warmUp(options), HttpLoad.READ_ANEW);
        var rounds = Math.max(3, options.iterations());
        latency(context, page, rounds);
        throughput(context, page, Math.max(THROUGHPUT_ROUNDS, rounds));
        pollers(context, Math.max(THROUGHPUT_ROUNDS, rounds));
        revalidation(context, SCENARIO, page, rounds);
    }

    /**
     * What Vista's choice of pollers for virtual threads ({@link Vista#platformPollers}: jdk.pollerMode=1) saves: the
     * server's CPU time per page read each time, against the JDK's default (jdk.pollerMode=2). Two Vistas are started
     * for it on the same database, one as {@code vista serve} starts (mode 1) and one told the default, both fresh and
     * warmed up alike: the server the other scenarios measured has served all of them, and a JIT, heap and caches
     * shaped by that history favoured whichever server it was set against (at 10M the fresh one with the default won
     * twice, while two fresh servers by hand gave mode 1 0.955). Loads on the two alternate round by round, each round
     * in the other order than the one before (A B, B A, ...), and the ratio is the median of the rounds' own. CPU per
     * request, not requests per second: both share the machine with the database, and CPU time is what one more
     * request takes from it. Not measured where Vista leaves the JDK's default alone, where JAVA_TOOL_OPTIONS names a
     * mode (both servers would run with it), or where the server's CPU time is not to be had.
     */
    private void pollers(BenchContext context, int rounds) throws Exception {
        var given = System.getenv().getOrDefault("JAVA_TOOL_OPTIONS", "");
        if (given.contains(Vista.POLLER_MODE) || server.cpu().isEmpty()
                || Vista.platformPollers(null, Runtime.version().feature(), System.getProperty("os.name", "")).isEmpty()) {
            return; // the served Vista polls as the JDK does by default, or as it was told: nothing to set against it
        }
        var options = context.options();
        var connections = options.httpConnections();
        var round = Duration.ofSeconds(Math.max(1, options.httpSeconds() / 5));
        var toolOptions = (given + " -D" + Vista.POLLER_MODE + "=2").strip();
        try (var platformServer = VistaProcess.start(context.database(), context.out());
             var defaultServer = VistaProcess.start(context.database(), context.out(), Map.of("JAVA_TOOL_OPTIONS", toolOptions))) {
            var ours = page(platformServer);
            var theirs = page(defaultServer);
            HttpLoad.run(ours, connections, warmUp(options), HttpLoad.READ_ANEW);
            HttpLoad.run(theirs, connections, warmUp(options), HttpLoad.READ_ANEW);
            var platform = new ArrayList<ServerLoad>();
            var byDefault = new ArrayList<ServerLoad>();
            for (int i = 0; i < rounds; i++) {
                var platformFirst = i % 2 == 0;
                if (!platformFirst) {
                    byDefault.add(ServerLoad.of(defaultServer, theirs, connections, round));
                }
                platform.add(ServerLoad.of(platformServer, ours, connections, round));
                if (platformFirst) {
                    byDefault.add(ServerLoad.of(defaultServer, theirs, connections, round));
                }
            }
            var ratio = Timings.medianRatio(platform.stream().map(ServerLoad::microsPerRequest).toList(),
                    byDefault.stream().map(ServerLoad::microsPerRequest).toList());
            context.report().add(new BenchReport.Line(SCENARIO,
                    String.format(Locale.ROOT, "Vista's CPU per page read each time, %d connections, %d rounds (a fresh Vista, virtual threads polling on platform threads, %s=1)",
                            connections, rounds, Vista.POLLER_MODE),
                    ServerLoad.described(platform), "a second fresh Vista with the JDK's default pollers (" + Vista.POLLER_MODE + "=2), rounds alternating in order",
                    ServerLoad.described(byDefault), ratio, "< 1", BenchReport.verdict(ratio < 1)));
        }
    }

    /** The 100-row page every line of this scenario asks {@code server} for. */
    private static URI page(VistaProcess server) {
        return URI.create(server.base() + "/api/reports/visits_summary_mv");
    }

    /** How long a server is loaded before it is measured, so its JIT has compiled the page's path. */
    private static Duration warmUp(Bench.Options options) {
        return Duration.ofSeconds(options.httpSeconds()).multipliedBy(2);
    }

    /** A round of load on a server: its requests per second, and the server's CPU time per request. */
    private record ServerLoad(double requestsPerSecond, double microsPerRequest) {

        static ServerLoad of(VistaProcess server, URI page, int connections, Duration round) throws Exception {
            var before = server.cpu().orElseThrow();
            var load = HttpLoad.run(page, connections, round, HttpLoad.READ_ANEW);
            var used = server.cpu().orElseThrow().minus(before);
            return new ServerLoad(load.requestsPerSecond(), used.toNanos() / 1000.0 / (load.requestsPerSecond() * round.toMillis() / 1000.0));
        }

        static String described(List<ServerLoad> loads) {
            var cpu = new Timings.Samples("cpu", loads.stream().map(ServerLoad::microsPerRequest).toList());
            var rates = new Timings.Samples("rate", loads.stream().map(ServerLoad::requestsPerSecond).toList());
            return String.format(Locale.ROOT, "%.0f µs [%.0f–%.0f] (%,.0f req/s)", cpu.median(), cpu.min(), cpu.max(), rates.median());
        }
    }

    /**
     * The page asked again with the ETag of its last answer, the way a browser or a caching client revalidates: the
     * rate of 304s (no rows read, no body) against the full page, from as many connections, rounds alternating. The
     * JSON page's and the report page's ({@link PageScenario}).
     */
    static void revalidation(BenchContext context, String scenario, URI page, int rounds) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(page).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        var etag = response.headers().firstValue("ETag").orElseThrow(() -> new IllegalStateException(
                page + " came without an ETag (is visits_summary_mv refreshed?)"));
        var connections = context.options().httpConnections();
        var round = Duration.ofSeconds(Math.max(1, context.options().httpSeconds() / rounds));
        var full = new ArrayList<Double>();
        var revalidated = new ArrayList<Double>();
        for (int i = 0; i < rounds; i++) {
            full.add(HttpLoad.run(page, connections, round, HttpLoad.READ_ANEW).requestsPerSecond());
            revalidated.add(HttpLoad.run(page, connections, round, java.util.Map.of("If-None-Match", etag)).requestsPerSecond());
        }
        var conditional = new Timings.Samples("304", revalidated);
        var reference = new Timings.Samples("200", full);
        var ratio = conditional.median() / reference.median();
        context.report().add(new BenchReport.Line(scenario, "revalidated with If-None-Match: 304s, " + connections + " connections",
                perSecond(conditional, "req/s"), "the full page, " + connections + " connections", perSecond(reference, "req/s"),
                ratio, "> 1 (a 304 reads no rows)", BenchReport.verdict(ratio > 1)));
    }

    /**
     * One client, one request at a time, in rounds of two seconds (at the default 10 s of load): the HTTP endpoint
     * reading its rows, and sending the answer it kept since the refresh (what a repeated request gets), then the
     * Reports API in-process and plain JDBC alternating call by call, as a Java client would run them; and
     * Vista answering a constant (the API docs' script: no database, no JSON), the least any of its endpoints takes;
     * and Jetty alone answering a constant ({@link BareJetty}), what one HTTP exchange costs on this machine.
     */
    private static void latency(BenchContext context, URI page, int rounds) throws Exception {
        var constant = page.resolve("/api/docs/init.js");
        var round = Duration.ofMillis(Math.max(1000, context.options().httpSeconds() * 200L));
        var query = ReportQuery.parse("limit=100");
        var http = new ArrayList<Double>();
        var kept = new ArrayList<Double>();
        var floor = new ArrayList<Double>();
        var bare = new ArrayList<Double>();
        var added = new ArrayList<Double>();
        var bound = new ArrayList<Double>();
        var api = new ArrayList<Double>();
        var jdbc = new ArrayList<Double>();
        try (var sessions = context.servedReads(); var jetty = BareJetty.start()) {
            var reports = context.reports(sessions); // its reads one statement each, as the endpoint's
            HttpLoad.run(jetty.uri(), 1, round); // its JIT warmed up as Vista's was
            for (int i = 0; i < rounds; i++) {
                http.add(HttpLoad.run(page, 1, round, HttpLoad.READ_ANEW).p50());
                kept.add(HttpLoad.run(page, 1, round).p50());
                floor.add(HttpLoad.run(constant, 1, round).p50());
                bare.add(HttpLoad.run(jetty.uri(), 1, round).p50());
                added.add(http.getLast() - floor.getLast()); // paired in the round: the machine's mood cancels out
                jdbcRound(context, reports, query, round, api, jdbc);
                bound.add(bare.getLast() + jdbc.getLast());
            }
        }
        var reference = new Timings.Samples("jdbc", jdbc);
        context.report().compare(SCENARIO, "HTTP endpoint latency (p50, one client), the answer kept since the refresh",
                new Timings.Samples("kept", kept), "same query via JDBC", reference, "< 1.5", r -> r < 1.5);
        context.report().compare(SCENARIO, "HTTP endpoint latency (p50, one client), its rows read each time (Cache-Control: no-cache)",
                new Timings.Samples("http", http), "same query via JDBC", reference, "< 1.5", r -> r < 1.5);
        // For rows read each time the goal is out of reach whenever one HTTP exchange costs half the query or more, as it
        // does for a 100-row page here (the floor lines below): this one asks what Vista adds to the query beyond HTTP.
        context.report().compare(SCENARIO, "what Vista adds to the query read each time: endpoint p50 minus its floor's p50 (the line below), round by round",
                new Timings.Samples("added", added), "same query via JDBC", reference, "< 1.5", r -> r < 1.5);
        // No goal: what HTTP costs before any report is read. With the query's own time on top it is how close to
        // JDBC an endpoint reading rows can come: floor + JDBC over JDBC is the least the line read each time can show.
        context.report().inform(SCENARIO, "HTTP floor: Vista answering a constant (GET /api/docs/init.js, p50, one client; no database)",
                new Timings.Samples("floor", floor), "same query via JDBC", reference);
        context.report().inform(SCENARIO, "Jetty alone answering a constant (its own handler, no Javalin, p50, one client)",
                new Timings.Samples("bare", bare), "Vista's floor (above)", new Timings.Samples("floor", floor));
        // No goal: the least any HTTP server here could show on the line read each time, if answering the request and
        // writing its rows cost nothing beyond Jetty's bare exchange; at 1.5 or more the goal is out of anyone's reach.
        context.report().inform(SCENARIO, "least an endpoint can take here: Jetty alone's p50 plus the query's via JDBC, round by round",
                new Timings.Samples("bound", bound), "same query via JDBC", reference);
        // No goal: it splits what HTTP and JSON add from what the read and jOOQ's records add.
        context.report().inform(SCENARIO, "Reports API in-process latency (median, one client; no HTTP, no JSON; read sessions as the server's, one statement a read)",
                new Timings.Samples("api", api), "same query via JDBC", reference);
    }

    /** One round of the Reports API in-process and plain JDBC, alternating call by call, as a Java client would run them. */
    private static void jdbcRound(BenchContext context, Reports reports, ReportQuery query, Duration round,
                                  List<Double> api, List<Double> jdbc) throws Exception {
        var apiMillis = new ArrayList<Double>();
        var jdbcMillis = new ArrayList<Double>();
        try (var connection = context.dataSource().getConnection(); var statement = connection.prepareStatement(PAGE)) {
            var until = System.nanoTime() + round.toNanos();
            while (System.nanoTime() < until) {
                apiMillis.add(Timings.time(() -> reports.rows("visits_summary_mv", query)));
                jdbcMillis.add(Timings.time(() -> {
                    try (var rows = statement.executeQuery()) {
                        Jdbc.readAll(rows);
                    }
                }));
            }
        }
        api.add(new Timings.Samples("api", apiMillis).median());
        jdbc.add(new Timings.Samples("jdbc", jdbcMillis).median());
    }

    /**
     * The same number of connections as closed loops, each round HTTP first, then JDBC with one thread and one
     * connection per client: Vista's requests per second against the queries per second of the database alone. The
     * ratio is the median of the rounds' ratios, each of a round's load and the reference run just after it: what moves
     * the machine for seconds at a time (another process, the host) moves both, and cancels out.
     */
    private static void throughput(BenchContext context, URI page, int rounds) throws Exception {
        var options = context.options();
        var connections = options.httpConnections();
        var round = Duration.ofSeconds(Math.max(1, options.httpSeconds() / 5)); // 2 s at the default 10
        var many = connections * MANY_TIMES;
        var loads = new ArrayList<HttpLoad>();
        var kept = new ArrayList<HttpLoad>();
        var crowds = new ArrayList<HttpLoad>();
        var database = new ArrayList<Double>();
        for (int i = 0; i < rounds; i++) {
            loads.add(HttpLoad.run(page, connections, round, HttpLoad.READ_ANEW));
            database.add(JdbcReaders.idle(context.database(), PAGE, connections, round).perSecond());
            crowds.add(HttpLoad.run(page, many, round, HttpLoad.READ_ANEW));
            kept.add(HttpLoad.run(page, connections, round));
        }
        var jdbc = new Timings.Samples("jdbc", database);
        var reference = "same query via JDBC, " + connections + " connections (the database's own limit)";
        var ratio = medianRatio(loads, database);
        var errors = errors(loads);
        context.report().add(new BenchReport.Line(SCENARIO,
                String.format(Locale.ROOT, "%d connections, %d rounds of %d s (%s), its rows read each time (Cache-Control: no-cache)",
                        connections, rounds, round.toSeconds(), loads.getFirst().client()),
                described(loads), reference, perSecond(jdbc, "queries/s"),
                ratio, ">= 0.45 of the database's own throughput, no errors", BenchReport.verdict(ratio >= 0.45 && errors == 0)));
        var crowdRatio = medianRatio(crowds, loads.stream().map(HttpLoad::requestsPerSecond).toList());
        var crowdErrors = errors(crowds);
        context.report().add(new BenchReport.Line(SCENARIO, String.format(Locale.ROOT, "%d connections, the same rounds, read each time", many),
                described(crowds), connections + " connections (above)", perSecond(rates(loads), "req/s"), crowdRatio, ">= 0.8 of it, no errors",
                BenchReport.verdict(crowdRatio >= 0.8 && crowdErrors == 0)));
        var keptRatio = medianRatio(kept, database);
        var keptErrors = errors(kept);
        context.report().add(new BenchReport.Line(SCENARIO, String.format(Locale.ROOT, "%d connections, the same rounds, the answer kept since the refresh", connections),
                described(kept), reference, perSecond(jdbc, "queries/s"),
                keptRatio, ">= 0.45 of the database's own throughput, no errors", BenchReport.verdict(keptRatio >= 0.45 && keptErrors == 0)));
        context.report().note("HTTP throughput: rounds of load on the HTTP endpoint, of the same query over JDBC from as many connections, of the endpoint from 32 times as many "
                + "connections, and of the endpoint sending the answer it kept since the refresh alternate; lines that read rows send Cache-Control: no-cache, which makes "
                + "Vista read them anew; medians of the rounds, ranges in brackets; each ratio is the median of the rounds' own ratios (round i's load over "
                + "round i's reference). The JDBC reference runs in the benchmark's own process.");
    }

    private static Timings.Samples rates(List<HttpLoad> loads) {
        return new Timings.Samples("http", loads.stream().map(HttpLoad::requestsPerSecond).toList());
    }

    /** The median of the rounds' own ratios: round i's load over round i's reference. */
    private static double medianRatio(List<HttpLoad> loads, List<Double> references) {
        return Timings.medianRatio(rates(loads).millis(), references);
    }

    private static long errors(List<HttpLoad> loads) {
        return loads.stream().mapToLong(HttpLoad::errors).sum();
    }

    /** Requests per second of the rounds (median and range), with the median p50 and p99 and every error. */
    private static String described(List<HttpLoad> loads) {
        return perSecond(rates(loads), "req/s") + String.format(Locale.ROOT, " (p50 %.2f ms, p99 %.2f ms, %d errors)",
                new Timings.Samples("p50", loads.stream().map(HttpLoad::p50).toList()).median(),
                new Timings.Samples("p99", loads.stream().map(HttpLoad::p99).toList()).median(), errors(loads));
    }

    private static String perSecond(Timings.Samples samples, String unit) {
        return String.format(Locale.ROOT, "%,.0f %s [%,.0f–%,.0f]", samples.median(), unit, samples.min(), samples.max());
    }
}
