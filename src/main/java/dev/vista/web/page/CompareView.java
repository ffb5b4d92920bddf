package dev.vista.web.page;

import dev.vista.refresh.Freshness;
import dev.vista.report.Report;
import dev.vista.report.ReportQuery;
import dev.vista.report.SourceComparison;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code GET /reports/{name}/compare}: the talk's lesson for one query. Each source side by side with the SQL jOOQ
 * sent, EXPLAIN ANALYZE's times, top plan node, buffers and rows, what it costs in words; one verdict on whether they
 * returned the same rows; and a bar per source of its execution time.
 */
public record CompareView(Layout layout, String name, String title, String filters, boolean identical, String verdict,
                          List<Source> sources, List<Bar> bars, String report, String json) {

    /** "same" or "different": how the verdict looks. */
    public String verdictKind() {
        return identical ? "same" : "different";
    }

    /** One source; {@code sql} and the figures are null for a source the caller may not read (not run). */
    public record Source(String name, String cost, String sql, String planning, String execution, String topNode,
                         String buffers, String rows, String md5) {
    }

    /** One source's execution time as a bar: {@code width} is its share of the slowest, 0 to 100. */
    public record Bar(String name, String time, String width) {
    }

    public static CompareView of(Assets assets, Visitor visitor, Report report, ReportQuery query, SourceComparison comparison,
                                 Optional<Freshness.Summary> freshness) {
        var name = report.name();
        var runs = comparison.sources().stream().filter(SourceComparison.Run::permitted).toList();
        var sources = comparison.sources().stream().map(run -> run.permitted()
                ? new Source(run.source(), cost(report, run.source(), freshness), run.formattedSql(), Formats.millis(run.planningMs()),
                        Formats.millis(run.executionMs()), run.topNode(), buffers(run.buffers()), Formats.rows(run.rows()), run.md5())
                : new Source(run.source(), "Not run: the role you read as may not read this source.", null, null, null, null, null, null, null))
                .toList();
        var slowest = runs.stream().mapToDouble(SourceComparison.Run::executionMs).max().orElse(0);
        var bars = runs.stream().map(run -> new Bar(run.source(), Formats.millis(run.executionMs()),
                String.format(Locale.ROOT, "%.1f", slowest <= 0 ? 0 : Math.max(0.5, 100 * run.executionMs() / slowest)))).toList();
        var filters = query.filters().isEmpty() ? "all rows" : String.join(" and ", query.filters().stream().map(ReportView::words).toList());
        String verdict;
        if (runs.isEmpty()) {
            verdict = "No source of this report could be run with the role you read as.";
        } else if (comparison.identical()) {
            verdict = (runs.size() == 1 ? "The one source you may read returned " : "All " + runs.size() + " sources returned the same ")
                    + Formats.rows(runs.getFirst().rows()) + (runs.size() == 1 ? "." : ", in the same order.");
        } else {
            verdict = "The sources disagree: " + String.join(", ", runs.stream().map(r -> r.source() + " returned " + Formats.rows(r.rows())
                    + " (md5 " + r.md5().substring(0, 8) + ")").toList())
                    + ". A materialized view older than its last change shows up here: refresh it and compare again.";
        }
        var layout = Layout.of(assets, visitor, "Compare " + report.title(), false, new Layout.Crumb("Reports", Links.catalogue()),
                new Layout.Crumb(report.title(), Links.report(name, query)), new Layout.Crumb("Compare sources", null));
        return new CompareView(layout, name, report.title(), filters, comparison.identical(), verdict, sources, bars,
                Links.report(name, query), Links.compareApi(name, query));
    }

    /** What reading from a source costs, in a line. */
    static String cost(Report report, String source, Optional<Freshness.Summary> freshness) {
        return switch (source) {
            case "view" -> "A plain view: PostgreSQL runs its query on every read, so the answer is always current and the work is done each time.";
            case "groupby" -> "A GROUP BY written by hand in jOOQ: the same work as the view, on every read, and the same answer.";
            case "materialized" -> "Stored: rows computed by the last refresh and read back, so the read is cheap and the answer as old as that refresh"
                    + freshness.map(f -> " (" + FreshnessLine.of(report, f).text() + ")").orElse("") + ".";
            default -> "Source " + source + ".";
        };
    }

    private static String buffers(SourceComparison.Buffers buffers) {
        var text = Formats.number(buffers.sharedHit()) + " hit, " + Formats.number(buffers.sharedRead()) + " read";
        if (buffers.tempRead() + buffers.tempWritten() > 0) {
            text += ", temp " + Formats.number(buffers.tempRead()) + " read / " + Formats.number(buffers.tempWritten()) + " written";
        }
        return text + " (8 kB blocks)";
    }
}
