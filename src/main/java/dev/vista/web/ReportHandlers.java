package dev.vista.web;

import dev.vista.refresh.Freshness;
import dev.vista.report.JsonRows;
import dev.vista.report.Report;
import dev.vista.report.Reports;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

// GET /api/reports and GET /api/reports/{name}: the catalogue, and a report's rows as JSON.
public final class ReportHandlers {

    private static final int DEFAULT_LIMIT = 100;

    private final Reports reports;
    private final Freshness freshness;

    public ReportHandlers(Reports reports, Freshness freshness) {
        this.reports = reports;
        this.freshness = freshness;
    }

    public void list(Context ctx) {
        ctx.json(reports.catalogue().all().stream().map(r -> freshness.annotate(r, describe(r))).toList());
    }

    public void rows(Context ctx) {
        var report = find(ctx.pathParam("name"));
        // refresh/: Last-Modified and X-Data-Age for stored data; ?realtime=true swaps in a live-as-of-now table.
        var table = freshness.serve(report.table(), ctx.queryParam("realtime"), ctx::header);
        ctx.contentType("application/json");
        reports.read(dsl -> {
            try (var cursor = dsl.selectFrom(table)
                    .orderBy(Reports.defaultOrder(report))
                    .limit(DEFAULT_LIMIT)
                    .fetchSize(1000)
                    .fetchLazy()) {
                return JsonRows.write(cursor, ctx.outputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private Report find(String name) {
        return reports.catalogue().find(name).orElseThrow(() -> ApiException.notFound("unknown_report",
                "no report named '" + name + "'", "GET /api/reports lists them"));
    }

    static Map<String, Object> describe(Report report) {
        var map = new LinkedHashMap<String, Object>();
        map.put("name", report.name());
        map.put("title", report.title());
        map.put("description", report.description());
        map.put("kind", report.kind().name());
        map.put("columns", report.columns().stream().map(c -> new TreeMap<>(Map.of("name", c.name(), "type", c.type()))).toList()); // name before type, every run
        map.put("sources", List.copyOf(report.sources()));
        map.put("url", "/api/reports/" + report.name());
        return map;
    }
}
