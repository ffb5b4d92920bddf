package dev.vista.web;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import java.util.Map;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The report page's kept parts (chart, facets, filter form): the same markup while the stored rows stay, new after a refresh. */
class KeptPartsTest {

    static final String TOKEN = "kept-parts-admin";
    static final Config CONFIG = Config.fromEnvironment(Map.of("VISTA_ADMIN_TOKEN", TOKEN));
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("kept_parts");
        ReportFixture.load(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static void admin(io.javalin.testtools.Request.Builder request) {
        request.header("Authorization", "Bearer " + TOKEN);
    }

    static String parts(Document page) {
        return page.selectFirst("section.chart").outerHtml() + page.selectFirst("aside.facets").outerHtml() + page.selectFirst("details.filters").outerHtml();
    }

    @Test
    void a_stored_reports_chart_facets_and_form_stay_while_paging_and_show_the_new_rows_after_a_refresh() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(client.post("/api/admin/views/visits_summary_mv/refresh", "", KeptPartsTest::admin).code()).isEqualTo(200);
            var first = PagesTest.page(client, "/reports/visits_summary_mv?limit=2");
            var again = PagesTest.page(client, "/reports/visits_summary_mv?limit=2");
            var next = PagesTest.page(client, "/reports/visits_summary_mv?limit=2&offset=2");
            assertThat(parts(again)).isEqualTo(parts(first));
            assertThat(parts(next)).as("the next page: other rows, the same whole-result parts").isEqualTo(parts(first));
            assertThat(PagesTest.rows(next)).isNotEqualTo(PagesTest.rows(first));
            var billing = "section.facet:has(h3:contains(section)) li:contains(billing)";
            assertThat(first.select(billing)).isEmpty();

            var dsl = TestDatabase.dsl(dataSource);
            dsl.insertInto(PAGE_VISITS, PAGE_VISITS.ID, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                    .values(9001L, 1L, "billing", ReportFixture.at("2026-01-12T11:00:00Z"), 100)
                    .values(9002L, 1L, "billing", ReportFixture.at("2026-01-12T12:00:00Z"), 100).execute();
            assertThat(parts(PagesTest.page(client, "/reports/visits_summary_mv?limit=2"))).as("stored rows: as of the last refresh")
                    .isEqualTo(parts(first));

            assertThat(client.post("/api/admin/views/visits_summary_mv/refresh", "", KeptPartsTest::admin).code()).isEqualTo(200);
            var refreshed = PagesTest.page(client, "/reports/visits_summary_mv?limit=2");
            assertThat(parts(refreshed)).isNotEqualTo(parts(first));
            assertThat(refreshed.select(billing).eachText()).containsExactly("billing 1");
            assertThat(refreshed.select("#v2 option").eachText()).as("the form's choices are the facet's values").contains("billing");
            assertThat(refreshed.select(".chart-table tbody tr").last().text()).isNotEqualTo(first.select(".chart-table tbody tr").last().text());
        });
    }
}
