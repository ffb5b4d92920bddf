package dev.vista.bench;

import dev.vista.report.ReportQuery;
import dev.vista.report.ReportSelect;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;

/**
 * CSV downloads from the Vista process (by curl into /dev/null where installed) against psql's {@code \copy} of the same
 * query into /dev/null, the physical
 * limit (PgJDBC's CopyManager into a null stream where no psql is installed), and the process's peak memory.
 */
final class CsvScenario implements Scenario {

    private static final int ROUNDS = 7;

    private final VistaProcess server;

    CsvScenario(VistaProcess server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var psql = Psql.find(context.database());
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // the client of the download: curl into /dev/null when installed, as light a client as psql is for the reference
        // (java.net.http reading 100 MB costs about a core-second, on the two cores the server and PostgreSQL need)
        var curl = Programs.find("curl");
        // The reference runs exactly the query Vista runs (a whole export: no imposed order), as jOOQ renders it.
        var catalogue = context.catalogue();
        var renderer = DSL.using(SQLDialect.POSTGRES);
        var exports = new LinkedHashMap<String, Map.Entry<String, String>>();
        exports.put("visit_log", Map.entry("/api/reports/visit_log.csv", renderer.renderInlined(
                ReportSelect.of(catalogue.get("visit_log"), ReportQuery.parse("")).export())));
        exports.put("visits_summary (source=groupby)", Map.entry("/api/reports/visits_summary.csv?source=groupby", renderer.renderInlined(
                ReportSelect.of(catalogue.get("visits_summary"), ReportQuery.parse("source=groupby")).export())));
        for (var export : exports.entrySet()) {
            var counter = new CountingStream();
            var uri = URI.create(server.base() + export.getValue().getKey());
            var sql = export.getValue().getValue();
            var rows = Jdbc.queryValue(context.dataSource(), "SELECT count(*) FROM (" + sql + ") AS q");
            var variants = new LinkedHashMap<String, Timings.Work>();
            variants.put("vista", () -> counter.reset().add(curl.isPresent() ? curl(curl.get(), uri) : java(http, uri)));
            variants.put("reference", () -> {
                if (psql.isPresent()) {
                    psql.get().run("\\copy (" + sql.replace("\n", " ") + ") TO STDOUT WITH CSV HEADER", OutputStream.nullOutputStream());
                } else {
                    try (var connection = context.dataSource().getConnection()) {
                        connection.unwrap(PGConnection.class).getCopyAPI().copyOut(
                                "COPY (" + sql + ") TO STDOUT WITH (FORMAT csv, HEADER)", OutputStream.nullOutputStream());
                    }
                }
            });
            // one download first, so that the measured ones run compiled code (the reference has no JIT to warm); seven
            // rounds at any scale, since one slow round of three (autovacuum after the scenarios that append visits)
            // decides a median, and in alternating order, so that neither side always follows the other
            var samples = Timings.alternating(Math.min(context.options().warmups(), 1), ROUNDS, variants);
            var bytes = counter.count();
            var vista = samples.get("vista");
            var reference = samples.get("reference");
            var throughput = pairedThroughput(vista, reference);
            context.report().add(new BenchReport.Line("CSV export of " + export.getKey(),
                    "Vista's CSV endpoint (" + (curl.isPresent() ? "curl" : "java.net.http") + " to /dev/null)",
                    BenchReport.medianAndRange(vista) + rate(rows, bytes, vista.median()),
                    psql.isPresent() ? "psql \\copy ... TO STDOUT CSV > /dev/null" : "COPY via PgJDBC into a null stream",
                    BenchReport.medianAndRange(reference) + rate(rows, bytes, reference.median()), throughput, "throughput >= 0.95 of the reference",
                    BenchReport.verdict(throughput >= 0.95)));
        }
        var rss = server.peakRssMegabytes();
        context.report().add(new BenchReport.Line("CSV export of visit_log", "peak RSS of the Vista process (-Xmx256m)",
                String.format(Locale.ROOT, "%.0f MB", rss), "", "", Double.NaN, "< 400 MB", BenchReport.verdict(rss < 400)));
        context.report().note("CSV ratios are throughput ratios (reference time / Vista time): 1.0 means as fast as psql's \\copy into /dev/null; "
                + "Vista's downloads are made by " + (curl.isPresent() ? "curl" : "java.net.http") + " into /dev/null, one warm-up first, "
                + ROUNDS + " rounds interleaved with the reference's, in alternating order; each ratio is the median of the rounds' own ratios, the times beside it medians.");
    }

    /** The median of the rounds' own throughput ratios (round i's reference time over round i's Vista time). */
    static double pairedThroughput(Timings.Samples vista, Timings.Samples reference) {
        return Timings.medianRatio(reference.millis(), vista.millis());
    }

    /** Downloads {@code uri} with curl into /dev/null; the bytes it received. */
    private static long curl(Path curl, URI uri) throws IOException, InterruptedException {
        var process = new ProcessBuilder(curl.toString(), "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", uri.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        var written = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split(" ");
        if (process.waitFor() != 0 || !written[0].equals("200")) {
            throw new IllegalStateException("GET " + uri + " answered " + String.join(" ", written));
        }
        return Long.parseLong(written[1]);
    }

    /** Downloads {@code uri} with java.net.http; the bytes it received. */
    private static long java(HttpClient http, URI uri) throws IOException, InterruptedException {
        var response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        var counter = new CountingStream();
        try (var body = response.body()) {
            body.transferTo(counter);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
        }
        return counter.count();
    }

    private static String rate(long rows, long bytes, double millis) {
        return String.format(Locale.ROOT, " (%,.0f rows/s, %.0f MB/s)", rows / (millis / 1e3), bytes / 1e6 / (millis / 1e3));
    }

    /** Counts what it is given and throws it away: /dev/null with a meter. */
    private static final class CountingStream extends OutputStream {
        private final AtomicLong count = new AtomicLong();

        CountingStream reset() {
            count.set(0);
            return this;
        }

        void add(long bytes) {
            count.addAndGet(bytes);
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
}
