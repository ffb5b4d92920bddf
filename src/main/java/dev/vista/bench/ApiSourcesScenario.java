package dev.vista.bench;

import dev.vista.report.ReportQuery;
import dev.vista.report.Reports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sources compared as a developer and an analyst meet them: through Vista's Java API (jOOQ, {@code source=...})
 * and through its HTTP endpoint (a 10,000-row JSON page from the Vista process); the same goals as over JDBC.
 */
final class ApiSourcesScenario implements Scenario {

    private final VistaProcess server;

    ApiSourcesScenario(VistaProcess server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "sources";
    }

    @Override
    public void run(BenchContext context) throws Exception {
        var options = context.options();
        var reports = context.reports();
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (var name : List.of("visits_summary", "user_stats")) {
            var java = new LinkedHashMap<String, Timings.Work>();
            var web = new LinkedHashMap<String, Timings.Work>();
            for (var source : reports.report(name).sourceNames()) {
                java.put(source, () -> reports.rows(name, ReportQuery.all().withSource(source)));
                var uri = URI.create(server.base() + "/api/reports/" + name + "?limit=10000&source=" + source);
                web.put(source, () -> {
                    // rows read each time, as the Java side reads them: not the answer kept since the refresh
                    var response = http.send(HttpLoad.readingAnew(HttpRequest.newBuilder(uri)).build(), HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
                    }
                });
            }
            for (var way : List.of(Map.entry("jOOQ, Reports API", java), Map.entry("HTTP, 10,000-row page", web))) {
                var samples = Timings.alternating(options.warmups(), ReportSourcesScenario.rounds(options), way.getValue());
                ReportSourcesScenario.compareSources(context.report(), name + " (" + way.getKey() + ")", samples, "source=groupby");
            }
        }
        var oneUser = Timings.alternating(options.warmups(), ReportSourcesScenario.rounds(options), oneUserEach(reports, options.users()));
        ReportSourcesScenario.compareSources(context.report(), "visits_summary, one user's rows (jOOQ, Reports API, "
                + ReportSourcesScenario.USERS_PER_ROUND + " users a round)", oneUser, "source=groupby");
    }

    /** Each source reads the rows of the users of a round through the Java API, {@code user_id=eq.N}, one query each. */
    private static Map<String, Timings.Work> oneUserEach(Reports reports, int users) {
        var variants = new LinkedHashMap<String, Timings.Work>();
        for (var source : reports.report("visits_summary").sourceNames()) {
            variants.put(source, () -> {
                for (var user : ReportSourcesScenario.usersOfARound(users)) {
                    reports.rows("visits_summary", ReportQuery.parse("user_id=eq." + user + "&source=" + source));
                }
            });
        }
        return variants;
    }
}
