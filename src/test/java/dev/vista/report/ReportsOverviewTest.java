package dev.vista.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.database.ReadSessions;
import dev.vista.generated.DefaultSchema;
import dev.vista.migrate.Kind;
import dev.vista.refresh.Freshness;
import dev.vista.refresh.RefreshRequest;
import dev.vista.refresh.Refresher;
import dev.vista.testing.TestDatabase;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a report page reads ({@link Reports#overview}) over the demo data: rows, a cheap total, time-boxed facets and the chart. */
class ReportsOverviewTest {

    static final Overview.Bounds GENEROUS = new Overview.Bounds(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), 1_000_000);
    static HikariDataSource dataSource;
    static Reports reports;
    static int visits;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("reports_overview");
        TestDatabase.demoData(dataSource).seedIfEmpty();
        reports = Reports.of(dataSource, Duration.ofSeconds(30));
        visits = reports.count("visit_log", ReportQuery.all());
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static Overview overview(String report, String query, Overview.Bounds bounds) {
        return reports.overview(reports.prepare(report, ReportQuery.parse(query)), bounds);
    }

    @Test
    void an_overview_has_the_rows_the_api_returns_an_exact_total_when_cheap_the_facets_and_the_chart_of_the_whole_result() {
        var overview = overview("visit_log", "section=eq.index&order=visit_id&limit=10", GENEROUS);
        var rows = reports.rows("visit_log", ReportQuery.parse("section=eq.index&order=visit_id&limit=10"));
        assertThat(overview.rows().fields()).containsExactly(rows.fields());
        assertThat(overview.rows().values()).as("read by type from JDBC: the values jOOQ's records hold, timestamps with their offset")
                .isEqualTo(rows.map(record -> Arrays.asList(record.intoArray()))).hasSize(10);
        assertThat(overview.total()).isEqualTo(new RowCount(reports.count("visit_log", ReportQuery.parse("section=eq.index")), true));
        assertThat(overview.facets()).extracting(Facet::column).containsExactly("section", "username", "email");
        var section = overview.facets().getFirst();
        assertThat(section.complete()).isTrue();
        assertThat(section.values().stream().mapToLong(Facet.Value::count).sum()).as("the section facet ignores the filter on section").isEqualTo(visits);
        assertThat(overview.facets().get(1).complete()).as("100 usernames are more than a facet lists").isFalse();
        assertThat(overview.facets().get(1).values()).hasSize(Facet.VALUES);
        var chart = overview.chart();
        assertThat(chart.shape()).isEqualTo(Chart.Shape.DAYS);
        assertThat(chart.groupBy()).isEqualTo("visit_time");
        assertThat(chart.measures()).containsExactly("duration_ms", "rows");
        assertThat(chart.points()).hasSizeBetween(30, 31);
        assertThat(chart.points().stream().mapToLong(p -> p.values().get(1).longValue()).sum()).isEqualTo(overview.total().value());
    }

    @Test
    void facets_and_a_chart_slower_than_their_time_box_are_left_out_and_marked() {
        var hasty = new Overview.Bounds(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1), 1_000_000);
        var overview = overview("visit_log", "limit=10", hasty);
        assertThat(overview.rows().values()).hasSize(10);
        assertThat(overview.facets()).isNotEmpty().allMatch(Facet::timedOut);
        assertThat(overview.chart().timedOut()).isTrue();
        assertThat(overview.total().exact()).as("the count was cut off too: the planner's estimate").isFalse();
        assertThat(overview.whole()).isFalse();
    }

    @Test
    void above_the_count_threshold_the_total_is_the_planners_estimate_and_count_exact_counts() {
        var noCounting = new Overview.Bounds(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), 0);
        var estimated = overview("visit_log", "limit=10", noCounting).total();
        assertThat(estimated.exact()).isFalse();
        assertThat(estimated.value()).isBetween(visits / 2L, visits * 2L);
        assertThat(overview("visit_log", "limit=10", noCounting).whole()).as("too many rows to count: the estimate is the page's total").isTrue();
        assertThat(overview("visit_log", "limit=10&count=exact", noCounting).total()).isEqualTo(new RowCount(visits, true));
        assertThat(overview("visit_log", "limit=10&offset=" + (visits - 3), noCounting).total())
                .as("the last page tells the total without a count").isEqualTo(new RowCount(visits, true));
    }

    @Test
    void for_stored_rows_facets_chart_and_total_are_kept_until_the_next_refresh_and_for_live_rows_never() {
        var files = TestDatabase.viewFiles();
        var dsl = TestDatabase.dsl(dataSource);
        var freshness = new Freshness(dsl, files);
        var refresher = Refresher.of(dataSource, files, freshness, Duration.ofMinutes(1));
        var stored = new Reports(ReadSessions.on(dataSource, Duration.ofSeconds(30)), ReportCatalogue.of(DefaultSchema.DEFAULT_SCHEMA, files),
                freshness, new Privileges(dsl));
        var hasty = new Overview.Bounds(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1), 0);
        var first = stored.overview(stored.prepare("visits_summary_mv", ReportQuery.parse("section=eq.index&limit=10")), GENEROUS);
        assertThat(first.facets()).noneMatch(Facet::timedOut);
        assertThat(first.whole()).isTrue();
        var paged = stored.overview(stored.prepare("visits_summary_mv", ReportQuery.parse("section=eq.index&limit=10&offset=10&order=visits.desc")), hasty);
        assertThat(paged.facets()).as("kept: another page, another order, the same filters").isEqualTo(first.facets());
        assertThat(paged.chart()).isEqualTo(first.chart());
        assertThat(paged.rows().values()).hasSize(10).isNotEqualTo(first.rows());

        refresher.refresh(RefreshRequest.of("visits_summary_mv"));
        var refreshed = stored.overview(stored.prepare("visits_summary_mv", ReportQuery.parse("section=eq.index&limit=10")), hasty);
        assertThat(refreshed.facets()).as("a refresh makes new rows: computed again, within the hasty box").allMatch(Facet::timedOut);
        assertThat(refreshed.chart().timedOut()).isTrue();

        stored.overview(stored.prepare("visit_log", ReportQuery.parse("limit=10")), GENEROUS);
        var live = stored.overview(stored.prepare("visit_log", ReportQuery.parse("limit=10")), hasty);
        assertThat(live.facets()).as("live rows are counted on every view").allMatch(Facet::timedOut);
    }

    @Test
    void a_report_without_a_date_column_is_charted_as_bars_per_value_of_its_first_text_column() {
        TestDatabase.dsl(dataSource).execute("CREATE VIEW user_sections AS SELECT username, section, count(*) AS visits"
                + " FROM visit_log GROUP BY username, section");
        var view = table(name("user_sections"));
        var username = field(name("user_sections", "username"), String.class);
        var section = field(name("user_sections", "section"), String.class);
        var count = field(name("user_sections", "visits"), Long.class);
        var report = new Report("user_sections", "User sections", "", Kind.VIEW,
                List.of(new Report.Column("username", "text", username), new Report.Column("section", "text", section),
                        new Report.Column("visits", "bigint", count)),
                List.of(new Report.Source("view", view, Optional.of("user_sections"))), view);
        var read = new ReportRead(ReportSelect.of(report, ReportQuery.parse("section=neq.index")), Optional.empty(), false);
        var chart = reports.overview(read, GENEROUS).chart();
        assertThat(chart.shape()).isEqualTo(Chart.Shape.BARS);
        assertThat(chart.groupBy()).isEqualTo("username");
        assertThat(chart.points()).hasSize(Chart.BARS);
        assertThat(chart.groups()).as("every username has visits outside index").isEqualTo(100);
        var rows = chart.points().stream().map(p -> p.values().getLast().longValue()).toList();
        assertThat(rows).as("largest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }
}
