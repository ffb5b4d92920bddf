package dev.vista.web.page;

import dev.vista.refresh.Freshness;
import dev.vista.refresh.ViewStatus;
import dev.vista.report.Report;
import dev.vista.report.ReportQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code GET /}: every report the caller may read, what it is, how fresh, and where to read it. */
public record CatalogueView(Layout layout, List<Entry> reports) {

    /**
     * One report. {@code freshness} is null for a live view; {@code failure} the last refresh's error when that
     * refresh failed; {@code compare} null when the report has one source.
     */
    public record Entry(String name, String title, String description, String kind, List<Column> columns, String sources,
                        FreshnessLine freshness, String failure, String page, String compare, String json, String csv) {
    }

    public record Column(String name, String type) {
    }

    public static CatalogueView of(Assets assets, Visitor visitor, List<Report> reports, Map<String, Freshness.Summary> freshness,
                                   Map<String, ViewStatus> stored) {
        var entries = reports.stream().map(report -> {
            var all = ReportQuery.all();
            var summary = Optional.ofNullable(freshness.get(report.name()));
            var status = summary.map(s -> stored.get(s.relation()));
            return new Entry(report.name(), report.title(), report.description(), kind(report),
                    report.columns().stream().map(c -> new Column(c.name(), c.type())).toList(),
                    String.join(", ", report.sourceNames()),
                    summary.map(f -> FreshnessLine.of(report, f)).orElse(null),
                    status.map(ViewStatus::lastRefresh).filter(r -> "failed".equals(r.status()))
                            .map(r -> "last refresh failed " + Formats.ago(Duration.between(r.startedAt().toInstant(), Instant.now()))
                                    + (r.error() == null ? "" : ": " + r.error()))
                            .orElse(null),
                    Links.report(report.name(), all), report.sources().size() > 1 ? Links.compare(report.name(), all) : null,
                    Links.api(report.name(), all), Links.csv(report.name(), all, false));
        }).toList();
        return new CatalogueView(Layout.of(assets, visitor, "Reports", false, new Layout.Crumb("Reports", null)), entries);
    }

    /** How a page names a report's kind. */
    static String kind(Report report) {
        return switch (report.kind()) {
            case VIEW -> report.materializedView().isPresent() ? "view, also materialized" : "view";
            case MATERIALIZED_VIEW -> "materialized view";
            case INCREMENTAL -> "incremental aggregate";
        };
    }
}
