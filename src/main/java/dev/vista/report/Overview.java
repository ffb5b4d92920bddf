package dev.vista.report;

import java.time.Duration;
import java.util.List;

/**
 * What a report page shows of a query ({@link Reports#overview}): the page of rows (exactly those the JSON API returns
 * for the query), how many rows match, the facets and the chart of the whole filtered result, the bounds they were
 * read within, and where the rows were read and how old they are there (on a hot standby: its view, and its lag).
 */
public record Overview(ReportRead read, Rows rows, RowCount total, List<Facet> facets, Chart chart, Bounds bounds,
                       Provenance provenance) {

    /**
     * Whether no part of the page was cut off by its time box: every facet and the chart are there, and the total is
     * counted, or is the planner's estimate because the rows are too many to count (an estimate kept, for stored rows,
     * until their next refresh), not because counting took too long. Only then is the page, for stored rows, the same
     * on every request until the next refresh.
     */
    public boolean whole() {
        return (total.exact() || total.value() >= bounds.countBelow()) && !chart.timedOut() && facets.stream().noneMatch(Facet::timedOut);
    }

    /**
     * How much the optional parts may cost: how long each facet, the chart and a count (tried before settling for the
     * planner's estimate) may take, and below what estimate a count is worth trying at all. A part that takes longer
     * is left out and says so; the rows always wait for the statement timeout.
     */
    public record Bounds(Duration facet, Duration chart, Duration count, long countBelow) {

        /** Below this many rows, by the planner's estimate, a count is tried (in the facets' time box). */
        public static final long COUNT_BELOW = 100_000;

        /** Facets and the count within {@code facet}, the chart within {@code chart}. */
        public static Bounds of(Duration facet, Duration chart) {
            return new Bounds(facet, chart, facet, COUNT_BELOW);
        }
    }
}
