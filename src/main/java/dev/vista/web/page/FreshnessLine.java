package dev.vista.web.page;

import dev.vista.refresh.Freshness;
import dev.vista.report.Report;
import java.time.Instant;

/**
 * How fresh a report's stored rows are, in a line: "refreshed <time>2026-12-01 21:00:04 UTC</time>, every 15 min".
 * The moment is written as a moment, not as an age ("22 s ago"), so that the page is the same bytes until the next
 * refresh and a browser may keep it and revalidate it (a 304): the page's script ({@code age.js}) shows it as how long
 * ago it was, and keeps that current while the page stays open.
 *
 * @param before   the words before the moment: "refreshed ", or the whole line when there is no moment
 * @param datetime the moment for {@code <time datetime>} (ISO 8601, UTC); null when the rows have none
 * @param moment   the moment as the page shows it without script: "2026-12-01 21:00:04 UTC"
 * @param after    the words after it: ", every 15 min"
 */
public record FreshnessLine(String before, String datetime, String moment, String after) {

    /**
     * "refreshed 2026-12-01 21:00:04 UTC, every 15 min", "never refreshed: holds no rows yet"; for a view, of its
     * materialized source: "materialized source visits_summary_mv refreshed ..., every 5 min".
     */
    static FreshnessLine of(Report report, Freshness.Summary summary) {
        var before = new StringBuilder();
        if (!summary.relation().equals(report.name())) {
            before.append("materialized source ").append(summary.relation()).append(' ');
        }
        var after = summary.refreshEvery() == null ? "" : ", " + Formats.every(summary.refreshEvery());
        if (summary.lastRefreshedAt() == null) {
            before.append(summary.populated() ? "refreshed at an unknown time" : "never refreshed: holds no rows yet");
            return new FreshnessLine(before.toString(), null, null, after);
        }
        var at = summary.lastRefreshedAt().toInstant();
        return new FreshnessLine(before.append("refreshed ").toString(), at.toString(), Formats.second(at), after);
    }

    /** The line as plain text, the moment as a moment: for a sentence that holds it. */
    public String text() {
        return before + (moment == null ? "" : moment) + after;
    }
}
