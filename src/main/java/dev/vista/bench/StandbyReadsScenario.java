package dev.vista.bench;

import dev.vista.config.DatabaseConfig;
import dev.vista.config.ReplicaConfig;
import dev.vista.database.EmbeddedStandby;
import dev.vista.refresh.RefreshRequest;
import dev.vista.refresh.Trigger;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The point of read replicas, measured: the 100-row page of visits_summary_mv from {@code --connections} clients while
 * the primary takes a steady insert load and one concurrent refresh of visits_summary_mv after another, served by a
 * Vista reading on a hot standby against the Vista that reads on the primary, rounds alternating in the same run; and
 * what each costs the primary's inserts meanwhile.
 *
 * <p>The standby is VISTA_READ_URL's when it is set, else one made of the benchmark's embedded PostgreSQL
 * ({@link EmbeddedStandby}); with neither the lines say n/a and why.
 */
final class StandbyReadsScenario implements Scenario {

    private static final String SCENARIO = "100-row page of visits_summary_mv, primary under insert load and refreshes";
    private static final String IDLE = "100-row page of visits_summary_mv, read on a hot standby";
    /** The steady insert load: this many visits per statement, one statement every {@link #INSERT_EVERY}. */
    private static final int INSERT_ROWS = 20;
    private static final Duration INSERT_EVERY = Duration.ofMillis(10);

    private final VistaProcess onPrimary;
    private final DatabaseConfig database;
    private final ReplicaConfig replicas;

    StandbyReadsScenario(VistaProcess onPrimary, DatabaseConfig database, ReplicaConfig replicas) {
        this.onPrimary = onPrimary;
        this.database = database;
        this.replicas = replicas;
    }

    @Override
    public String name() {
        return "standby-reads";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        if (replicas.readUrl().isPresent()) {
            measure(context, replicas.readUrl().get());
            return;
        }
        if (!database.isEmbedded()) {
            context.report().unavailable(SCENARIO, "throughput with reads on a hot standby",
                    "no standby: set VISTA_READ_URL to a standby of VISTA_DATABASE_URL, or run on the embedded PostgreSQL");
            return;
        }
        context.out().println("bench: making a hot standby of the benchmark's database (pg_backup_start, a copy, pg_backup_stop)");
        EmbeddedStandby standby;
        try {
            standby = EmbeddedStandby.create(context.database().jdbcUrl(), context.database().user(), context.database().dataSource().getPassword(),
                    database.dataDir().toAbsolutePath(), Files.createTempDirectory("vista-bench-standby"), freePort());
        } catch (IOException | SQLException | RuntimeException e) {
            context.report().unavailable(SCENARIO, "throughput with reads on a hot standby", "could not start a standby here: " + e.getMessage());
            return;
        }
        try (standby) {
            measure(context, standby.url("postgres"));
        }
    }

    private void measure(BenchContext context, String readUrl) throws Exception {
        try (var onStandby = VistaProcess.start(context.database(), context.out(), Map.of("VISTA_READ_URL", readUrl))) {
            measure(context, onStandby);
        }
    }

    private void measure(BenchContext context, VistaProcess onStandby) throws Exception {
        var options = context.options();
        var path = "/api/reports/visits_summary_mv";
        awaitStandby(URI.create(onStandby.base() + path));
        // this Vista has just started: its JIT compiles the read path under load first, as the other one's has
        // every load reads its rows (Cache-Control: no-cache), not the answer kept since the refresh: the reads are what is compared
        HttpLoad.run(URI.create(onStandby.base() + path), options.httpConnections(), Duration.ofSeconds(options.httpSeconds()).multipliedBy(2), HttpLoad.READ_ANEW);
        // and the one reading on the primary, which in a run of this scenario alone has served nothing yet
        HttpLoad.run(URI.create(onPrimary.base() + path), options.httpConnections(), Duration.ofSeconds(options.httpSeconds()), HttpLoad.READ_ANEW);
        var rounds = Math.max(3, options.iterations());
        latency(context, URI.create(onStandby.base() + path), URI.create(onPrimary.base() + path), rounds);
        var round = Duration.ofSeconds(Math.max(1, options.httpSeconds() / rounds));
        try (var load = PrimaryLoad.start(context)) {
            var standbyLoads = new ArrayList<HttpLoad>();
            var primaryLoads = new ArrayList<HttpLoad>();
            var standbyInserts = new CopyOnWriteArrayList<Double>();
            var primaryInserts = new CopyOnWriteArrayList<Double>();
            var lags = new ArrayList<Double>();
            for (int i = 0; i < rounds; i++) {
                load.measure(primaryInserts);
                primaryLoads.add(HttpLoad.run(URI.create(onPrimary.base() + path), options.httpConnections(), round, HttpLoad.READ_ANEW));
                load.measure(standbyInserts);
                standbyLoads.add(HttpLoad.run(URI.create(onStandby.base() + path), options.httpConnections(), round, HttpLoad.READ_ANEW));
                lag(URI.create(onStandby.base() + path)).ifPresent(lags::add);
            }
            load.measure(null);
            var standby = new Timings.Samples("standby", standbyLoads.stream().map(HttpLoad::requestsPerSecond).toList());
            var primary = new Timings.Samples("primary", primaryLoads.stream().map(HttpLoad::requestsPerSecond).toList());
            var errors = standbyLoads.stream().mapToLong(HttpLoad::errors).sum();
            context.report().add(new BenchReport.Line(SCENARIO,
                    String.format(Locale.ROOT, "throughput with reads on a hot standby (%d connections, %d rounds of %d s, %s)",
                            options.httpConnections(), rounds, round.toSeconds(), standbyLoads.getFirst().client()),
                    perSecond(standby) + String.format(Locale.ROOT, " (p99 %.2f ms, %d errors)", median(standbyLoads, HttpLoad::p99), errors),
                    "every read on the primary, same load", perSecond(primary)
                            + String.format(Locale.ROOT, " (p99 %.2f ms)", median(primaryLoads, HttpLoad::p99)),
                    standby.median() / primary.median(), "", ""));
            context.report().inform(SCENARIO, String.format(Locale.ROOT, "the primary's inserts meanwhile (%d visits a statement, one every %d ms;"
                            + " p99 latency), reads on the standby", INSERT_ROWS, INSERT_EVERY.toMillis()),
                    p99(standbyInserts), "reads on the primary", p99(primaryInserts));
            if (!lags.isEmpty()) {
                var lag = new Timings.Samples("lag", lags);
                context.report().add(new BenchReport.Line(SCENARIO, "the standby's X-Replica-Lag meanwhile (one request a round)",
                        String.format(Locale.ROOT, "%.3f s [%.3f–%.3f]", lag.median(), lag.min(), lag.max()), "", "", Double.NaN, "", ""));
            }
            context.report().note("Standby reads: the standby runs on the same machine as the primary and shares its "
                    + Runtime.getRuntime().availableProcessors() + " cores, so the figures show what moving reads off the primary costs"
                    + " and what it takes off the primary's inserts, not the capacity a second machine adds. The refreshes are of"
                    + " visits_summary_mv, concurrently, one after another, for the whole scenario.");
        }
    }

    /**
     * One client, one request at a time, nothing else running: the page read on the standby against the same page read
     * on the primary, rounds alternating. A standby's session is set up in the page's own message as the primary's
     * preset one needs no set-up (ReadSessions#rows), so both take one round trip to PostgreSQL.
     */
    private void latency(BenchContext context, URI onStandby, URI onPrimary, int rounds) throws Exception {
        var round = Duration.ofMillis(Math.max(1000, context.options().httpSeconds() * 100L));
        var standby = new ArrayList<Double>();
        var primary = new ArrayList<Double>();
        for (int i = 0; i < rounds; i++) {
            standby.add(HttpLoad.run(onStandby, 1, round, HttpLoad.READ_ANEW).p50());
            primary.add(HttpLoad.run(onPrimary, 1, round, HttpLoad.READ_ANEW).p50());
        }
        context.report().inform(IDLE,
                "HTTP latency with reads on the hot standby (p50, one client, no other load; rows read each time)",
                new Timings.Samples("standby", standby), "every read on the primary", new Timings.Samples("primary", primary));
    }

    /** Waits until the Vista reading on the standby answers from it (the sampler found it fit). */
    private static void awaitStandby(URI page) throws Exception {
        var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (lag(page).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Vista reading on the standby did not answer from it within 60 s");
            }
            Thread.sleep(200);
        }
    }

    private static Optional<Double> lag(URI page) throws Exception {
        // read anew: an answer sent from those kept since the refresh read no standby, and says no lag
        var response = HttpClient.newHttpClient().send(HttpLoad.readingAnew(HttpRequest.newBuilder(page)).build(), HttpResponse.BodyHandlers.discarding());
        return response.headers().firstValue("X-Replica-Lag").map(Double::parseDouble);
    }

    /**
     * The steady insert load and the refreshes, for as long as it is open; the inserts' latencies go to the list the
     * last {@link #measure} named.
     */
    private static final class PrimaryLoad implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<List<Double>> into = new AtomicReference<>();
        private final CompletableFuture<Void> inserts;
        private final CompletableFuture<Void> refreshes;

        private PrimaryLoad(BenchContext context) throws Exception {
            var users = Math.max(1, context.options().users());
            var connection = DriverManager.getConnection(context.database().jdbcUrl(), context.database().user(), context.database().dataSource().getPassword());
            var insert = connection.prepareStatement("""
                    INSERT INTO page_visits (user_id, section, visit_time, duration_ms)
                    SELECT 1 + (random() * (? - 1))::int, 'index', now(), (random() * 2000)::int FROM generate_series(1, ?)
                    """);
            insert.setInt(1, users);
            insert.setInt(2, INSERT_ROWS);
            inserts = CompletableFuture.runAsync(() -> {
                try (connection; insert) {
                    var next = System.nanoTime();
                    while (running.get()) {
                        var millis = Timings.time(insert::execute);
                        var list = into.get();
                        if (list != null) {
                            list.add(millis);
                        }
                        next += INSERT_EVERY.toNanos();
                        var wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("the insert load failed: " + e.getMessage(), e);
                }
            });
            refreshes = CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    context.refresher().refresh(RefreshRequest.of("visits_summary_mv").asConcurrent().by(Trigger.java));
                }
            });
        }

        static PrimaryLoad start(BenchContext context) throws Exception {
            return new PrimaryLoad(context);
        }

        /** Inserts' latencies go to {@code list} (one safe to add to from another thread) from now on; null: nowhere. */
        void measure(List<Double> list) {
            into.set(list);
        }

        @Override
        public void close() {
            running.set(false);
            inserts.join();
            refreshes.join();
        }
    }

    private static Timings.Samples p99(List<Double> latencies) {
        var samples = new Timings.Samples("inserts", List.copyOf(latencies));
        return new Timings.Samples("p99", List.of(samples.percentile(0.99)));
    }

    private static double median(List<HttpLoad> loads, ToDoubleFunction<HttpLoad> figure) {
        return new Timings.Samples("", loads.stream().map(l -> figure.applyAsDouble(l)).toList()).median();
    }

    private static String perSecond(Timings.Samples samples) {
        return String.format(Locale.ROOT, "%,.0f req/s [%,.0f–%,.0f]", samples.median(), samples.min(), samples.max());
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
