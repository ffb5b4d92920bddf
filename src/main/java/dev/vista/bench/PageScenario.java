package dev.vista.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The report page an analyst opens, {@code /reports/visits_summary_mv}: its latency as a browser gets it (rows, total,
 * facets, chart and form, one request) beside the JSON page of the same query, from one client, rounds alternating;
 * the rate of its 304s when a browser revalidates it; and what it weighs: its HTML, and its scripts and styles as they travel (gzipped), which browsers then keep (their
 * URLs are versioned, {@code Cache-Control: max-age}).
 */
final class PageScenario implements Scenario {

    private static final String SCENARIO = "100-row report page of visits_summary_mv";
    private static final Pattern ASSET = Pattern.compile("<(?:link rel=\"stylesheet\" href|script src)=\"([^\"]+)\"");
    private static final int HTML_GOAL = 80 * 1024;
    private static final int ASSETS_GOAL = 100 * 1024;
    /** Requests of a round of first views, each with filters not asked before. */
    private static final int FIRST_VIEWS = 20;

    private final VistaProcess server;

    PageScenario(VistaProcess server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "pages";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var options = context.options();
        var html = URI.create(server.base() + "/reports/visits_summary_mv");
        var json = URI.create(server.base() + "/api/reports/visits_summary_mv");
        // the page's code paths (templates, facets, the chart) are compiled by the JIT under load first, as the JSON page's are
        var warmUp = Duration.ofSeconds(Math.max(1, options.httpSeconds()));
        HttpLoad.run(html, options.httpConnections(), warmUp);
        HttpLoad.run(json, options.httpConnections(), warmUp, HttpLoad.READ_ANEW);
        var rounds = Math.max(3, options.iterations());
        var round = Duration.ofMillis(Math.max(1000, options.httpSeconds() * 200L));
        var pages = new ArrayList<Double>();
        var rows = new ArrayList<Double>();
        for (int i = 0; i < rounds; i++) {
            pages.add(HttpLoad.run(html, 1, round).p50());
            rows.add(HttpLoad.run(json, 1, round, HttpLoad.READ_ANEW).p50());
        }
        context.report().compare(SCENARIO, "HTML page latency (p50, one client; total, facets and chart included, kept since the refresh)",
                new Timings.Samples("html", pages), "JSON page of the same query (p50, its rows read each time too)", new Timings.Samples("json", rows), "<= 1.5", r -> r <= 1.5);
        firstViews(context, rounds);
        HttpPageScenario.revalidation(context, SCENARIO, html, rounds);
        weight(context, html, json);
    }

    /**
     * Each request with filters of its own ({@code user_id=neq.N}, N counting up), so that the page adds up its total,
     * facets and chart every time, as on the first view after a refresh; the JSON page with the same filters alternates.
     */
    private void firstViews(BenchContext context, int rounds) throws Exception {
        var client = HttpClient.newHttpClient();
        var pages = new ArrayList<Double>();
        var rows = new ArrayList<Double>();
        var filter = 0;
        for (int i = 0; i < rounds; i++) {
            var pageMillis = new ArrayList<Double>();
            var rowsMillis = new ArrayList<Double>();
            for (int request = 0; request < FIRST_VIEWS; request++) {
                var query = "?user_id=neq." + (++filter);
                pageMillis.add(Timings.time(() -> get(client, URI.create(server.base() + "/reports/visits_summary_mv" + query), false)));
                rowsMillis.add(Timings.time(() -> get(client, URI.create(server.base() + "/api/reports/visits_summary_mv" + query), false)));
            }
            pages.add(new Timings.Samples("html", pageMillis).median());
            rows.add(new Timings.Samples("json", rowsMillis).median());
        }
        context.report().inform(SCENARIO, "HTML page latency, first view of its filters (p50, one client; total, facets and chart added up)",
                new Timings.Samples("html", pages), "JSON page of the same query (p50, its rows read each time too)", new Timings.Samples("json", rows));
    }

    private void weight(BenchContext context, URI html, URI json) throws Exception {
        var client = HttpClient.newHttpClient();
        var page = get(client, html, false);
        var rows = get(client, json, false);
        var pageBytes = page.body().length;
        context.report().add(new BenchReport.Line(SCENARIO, "HTML of the page", kilobytes(pageBytes), "JSON of the same page",
                kilobytes(rows.body().length), (double) pageBytes / rows.body().length, "<= 80 KB", BenchReport.verdict(pageBytes <= HTML_GOAL)));
        long gzipped = 0;
        long plain = 0;
        var cached = true;
        var files = 0;
        var matcher = ASSET.matcher(new String(page.body(), StandardCharsets.UTF_8));
        while (matcher.find()) {
            var url = URI.create(server.base() + matcher.group(1));
            var compressed = get(client, url, true);
            if (!compressed.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
                throw new IllegalStateException(url + " was not sent gzipped to a client that accepts gzip");
            }
            cached &= compressed.headers().firstValue("Cache-Control").orElse("").contains("max-age=");
            gzipped += compressed.body().length;
            plain += get(client, url, false).body().length;
            files++;
        }
        if (files == 0) {
            throw new IllegalStateException("the page names no stylesheet or script: " + html);
        }
        context.report().add(new BenchReport.Line(SCENARIO, "its " + files + " scripts and styles, gzipped" + (cached ? ", Cache-Control max-age" : ", NOT cached"),
                kilobytes(gzipped), "the same, uncompressed", kilobytes(plain), (double) gzipped / plain, "<= 100 KB gzipped, cached",
                BenchReport.verdict(gzipped <= ASSETS_GOAL && cached)));
    }

    private static HttpResponse<byte[]> get(HttpClient client, URI uri, boolean gzip) throws Exception {
        var request = HttpRequest.newBuilder(uri);
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        var response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + response.statusCode());
        }
        return response;
    }

    private static String kilobytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
}
