package dev.vista.web;

import static dev.vista.generated.Tables.PAGE_VISITS;
import static dev.vista.generated.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.ApiRows;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import io.javalin.testtools.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.javalin.testtools.Response;
import java.net.URI;
import java.time.Instant;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pages over HTTP, parsed: the catalogue, a report page against the API's rows, forms, facets, chart, errors, headers. */
class PagesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Config CONFIG = Config.fromEnvironment(Map.of());
    static final String XSS = "<img src=x onerror=alert(1)>";
    /** A refresh's moment as a page writes it (its script shows it as an age). */
    static final String MOMENT = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC";
    static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("pages");
        var dsl = TestDatabase.dsl(dataSource);
        dsl.insertInto(USERS, USERS.ID, USERS.USERNAME, USERS.EMAIL, USERS.CREATED_AT)
                .values(5L, XSS, "\"><script>alert(2)</script>", ReportFixture.at("2025-06-01T00:00:00Z")).execute();
        dsl.insertInto(PAGE_VISITS, PAGE_VISITS.ID, PAGE_VISITS.USER_ID, PAGE_VISITS.SECTION, PAGE_VISITS.VISIT_TIME, PAGE_VISITS.DURATION_MS)
                .values(100L, 5L, "</script><script>alert(3)</script>", ReportFixture.at("2026-01-12T10:00:00Z"), 1500).execute();
        ReportFixture.load(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static String header(Response response, String name) {
        var values = response.headers().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    static Document page(HttpClient client, String path) throws Exception {
        var response = client.get(path, builder -> builder.header("Accept", "text/html"));
        var body = response.body().string();
        assertThat(response.code()).as(path + ": " + body).isEqualTo(200);
        assertThat(header(response, "Content-Type")).startsWith("text/html");
        return Jsoup.parse(body, "http://localhost" + path);
    }

    /** The page's table as lines of cell texts; numbers without thousands separators, as the API writes them. */
    static List<String> rows(Document page) {
        var lines = new ArrayList<String>();
        for (var row : page.select("table.rows tbody tr")) {
            var cells = new ArrayList<String>();
            for (var cell : row.select("td")) {
                cells.add(cell.hasClass("number") ? cell.text().replace(",", "") : cell.text());
            }
            lines.add(String.join(" | ", cells));
        }
        return lines;
    }

    /** The API's rows for the same query, as {@link #rows} writes the page's. */
    static List<String> apiRows(HttpClient client, String report, String query) throws Exception {
        var response = client.get("/api/reports/" + report + query);
        assertThat(response.code()).isEqualTo(200);
        return ApiRows.lines(response.body().string());
    }

    @Test
    void the_catalogue_lists_every_report_with_its_kind_columns_freshness_and_links() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/");
            assertThat(page.title()).isEqualTo("Reports · Vista");
            assertThat(page.selectFirst(".site-header .account")).as("no tokens: nobody signs in").isNull();
            assertThat(page.select(".catalogue article h2").eachText()).contains("Visits per user, section and day", "Sections per day", "Visit log");
            var summary = page.selectFirst("article:has(h2#report-visits_summary)");
            assertThat(summary.select(".kind").text()).isEqualTo("view, also materialized");
            assertThat(summary.select(".columns li").eachText()).containsExactly("user_id bigint", "section text", "visit_date date", "visits bigint");
            assertThat(summary.select(".freshness").text()).matches("materialized source visits_summary_mv refreshed " + MOMENT + ", every 5 min");
            assertThat(summary.select(".links a").eachAttr("href")).containsExactly(
                    "/reports/visits_summary", "/reports/visits_summary/compare", "/api/reports/visits_summary", "/api/reports/visits_summary.csv");
            var daily = page.selectFirst("article:has(h2#report-section_daily)");
            assertThat(daily.select(".kind").text()).isEqualTo("materialized view");
            assertThat(daily.select(".freshness").text()).matches("refreshed " + MOMENT + ", every 15 min");
            assertThat(Instant.parse(daily.selectFirst(".freshness time[data-age]").attr("datetime"))).isBetween(Instant.now().minusSeconds(600), Instant.now());
            assertThat(daily.select(".links a").eachAttr("href")).doesNotContain("/reports/section_daily/compare");
            assertThat(page.selectFirst("article:has(h2#report-section_daily_incremental) .kind").text()).isEqualTo("incremental aggregate");
            assertThat(page.selectFirst("article:has(h2#report-visit_log) .freshness")).isNull();
        });
    }

    @Test
    void a_report_page_shows_exactly_the_rows_the_api_returns_for_the_same_query() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            for (var query : List.of("", "?section=eq.index", "?order=visits.desc&limit=3", "?user_id=gte.2&user_id=lt.5&select=user_id,visit_date",
                    "?limit=2&offset=2", "?source=groupby&order=visit_date.desc", "?section=in.(index,settings)&order=section.desc.nullslast")) {
                var page = page(client, "/reports/visits_summary" + query);
                assertThat(rows(page)).as(query).isEqualTo(apiRows(client, "visits_summary", query)).isNotEmpty();
            }
            var log = page(client, "/reports/visit_log?order=visit_time");
            assertThat(rows(log)).isEqualTo(apiRows(client, "visit_log", "?order=visit_time"));
            assertThat(rows(log).getFirst()).isEqualTo("6 | 2025-12-31T23:59:59.5Z | index | 70 | 2 | bob | null");
        });
    }

    @Test
    void numbers_are_right_aligned_and_formatted_nulls_and_empty_text_look_different_and_timestamps_keep_their_zone() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visit_log?visit_id=eq.4");
            var cells = page.select("table.rows tbody td");
            assertThat(cells.eachText()).containsExactly("4", "2026-01-10T12:00:00Z", "index", "1,000", "2", "bob", "null");
            assertThat(cells.get(3).className()).isEqualTo("number");
            assertThat(cells.get(6).className()).isEqualTo("null");
            assertThat(page.select("table.rows thead th").get(3).className()).isEqualTo("number");
        });
    }

    @Test
    void column_headers_sort_ascending_then_descending_and_say_how_they_sort() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visits_summary?section=eq.index");
            var visits = page.selectFirst("table.rows th:contains(visits) a");
            assertThat(visits.attr("href")).isEqualTo("/reports/visits_summary?section=eq.index&order=visits");
            var ascending = page(client, visits.attr("href"));
            assertThat(ascending.selectFirst("table.rows th:contains(visits)").attr("aria-sort")).isEqualTo("ascending");
            var descendingLink = ascending.selectFirst("table.rows th:contains(visits) a").attr("href");
            assertThat(descendingLink).isEqualTo("/reports/visits_summary?section=eq.index&order=visits.desc");
            var descending = page(client, descendingLink);
            assertThat(descending.selectFirst("table.rows th:contains(visits)").attr("aria-sort")).isEqualTo("descending");
            assertThat(rows(descending)).isEqualTo(apiRows(client, "visits_summary", "?section=eq.index&order=visits.desc"));
            assertThat(rows(descending).getFirst()).startsWith("1 | index | 2026-01-10 | 2");
        });
    }

    @Test
    void the_filter_form_leads_to_the_canonical_postgrest_url() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visits_summary");
            var form = page.selectFirst("form.filter-form");
            assertThat(form.attr("method")).isEqualTo("get");
            assertThat(form.attr("action")).isEqualTo("/reports/visits_summary/filter");
            for (var input : form.select("input:not([type=hidden]), select")) {
                assertThat(form.select("label[for=" + input.id() + "]")).as("label of " + input.id()).isNotEmpty();
            }
            var section = form.selectFirst("input[name^=c][value=section]").attr("name").substring(1);
            assertThat(form.selectFirst("select[name=v" + section + "]").select("option").eachAttr("value"))
                    .as("a select of the values of a low-cardinality text column")
                    .containsExactly("", "</script><script>alert(3)</script>", "Dashboard", "dashboard", "index", "settings");
            var visitDate = form.selectFirst("input[name^=c][value=visit_date]").attr("name").substring(1);
            assertThat(form.selectFirst("input[name=v" + visitDate + "]").attr("type")).isEqualTo("date");
            var userId = form.selectFirst("input[name^=c][value=user_id]").attr("name").substring(1);
            assertThat(form.selectFirst("input[name=v" + userId + "]").attr("type")).isEqualTo("number");

            var submitted = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(client.getOrigin()
                    + "/reports/visits_summary/filter?c1=user_id&o1=gte&v1=2&c2=user_id&o2=lt&v2=5&c3=section&o3=in&v3=index,+settings"
                    + "&c4=visit_date&o4=gte&v4=&c5=section&o5=is.null&v5=x&order=visits.desc&limit=&select=")).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(submitted.statusCode()).isEqualTo(303);
            assertThat(submitted.headers().firstValue("Location").orElseThrow())
                    .isEqualTo("/reports/visits_summary?user_id=gte.2&user_id=lt.5&section=in.(index,settings)&section=is.null&order=visits.desc");
        });
    }

    @Test
    void active_filters_are_listed_and_each_removes_only_itself() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visits_summary?user_id=gte.2&section=eq.index&offset=1");
            assertThat(page.select(".active-filters li > span").eachText()).containsExactly("user_id at least 2", "section equals index");
            assertThat(page.select(".active-filters a.remove").eachAttr("href"))
                    .containsExactly("/reports/visits_summary?section=eq.index", "/reports/visits_summary?user_id=gte.2");
            assertThat(page.selectFirst(".active-filters a:contains(Remove all filters)").attr("href")).isEqualTo("/reports/visits_summary");
        });
    }

    @Test
    void facets_count_the_values_under_the_other_filters_and_link_to_the_rows_holding_them() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visits_summary?user_id=lte.2");
            var section = page.selectFirst("section.facet:has(h3:contains(section))");
            assertThat(section.select("li").eachText()).containsExactly("index 3", "dashboard 1", "settings 1");
            var index = section.selectFirst("a:contains(index)").attr("href");
            assertThat(index).isEqualTo("/reports/visits_summary?user_id=lte.2&section=eq.index");
            var filtered = page(client, index);
            assertThat(rows(filtered)).isEqualTo(apiRows(client, "visits_summary", "?user_id=lte.2&section=eq.index")).hasSize(3);
            var selected = filtered.selectFirst("section.facet:has(h3:contains(section)) a[aria-current=true]");
            assertThat(selected.text()).isEqualTo("index (selected; show all values)");
            assertThat(selected.attr("href")).isEqualTo("/reports/visits_summary?user_id=lte.2");
            assertThat(filtered.select("section.facet:has(h3:contains(section)) li").eachText())
                    .as("the other values stay visible").contains("dashboard 1", "settings 1");

            var log = page(client, "/reports/visit_log");
            assertThat(log.select("section.facet:has(h3:contains(email)) li").eachText()).contains("null 3");
            assertThat(log.selectFirst("section.facet:has(h3:contains(email)) a:contains(null)").attr("href")).isEqualTo("/reports/visit_log?email=is.null");
        });
    }

    @Test
    void the_chart_is_the_whole_filtered_result_per_day_as_json_and_as_a_table() throws Exception {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visits_summary?limit=1&section=neq.settings");
            var data = JSON.readTree(page.selectFirst("script#chart-data[type=application/json]").data());
            assertThat(data.get("shape").asText()).isEqualTo("days");
            assertThat(data.get("x").toString()).isEqualTo("[1767139200,1768003200,1768089600,1768176000]");
            assertThat(data.at("/series/0/label").asText()).isEqualTo("sum of visits per day of visit_date");
            assertThat(data.at("/series/0/values").toString()).isEqualTo("[1,3,1,2]");
            assertThat(data.at("/series/1/values").toString()).isEqualTo("[1,2,1,2]");
            assertThat(page.select("#chart-measure option").eachText()).containsExactly("sum of visits per day of visit_date", "rows per day of visit_date");
            assertThat(page.select(".chart-table tbody tr").eachText())
                    .containsExactly("2025-12-31 1 1", "2026-01-10 3 2", "2026-01-11 1 1", "2026-01-12 2 2");
            var log = JSON.readTree(page(client, "/reports/visit_log").selectFirst("script#chart-data").data());
            assertThat(log.get("x").toString()).as("a timestamp is charted per day").isEqualTo("[1767139200,1768003200,1768089600,1768176000]");
            assertThat(log.at("/series/1/label").asText()).isEqualTo("rows per day of visit_time");
            assertThat(log.at("/series/1/values").toString()).isEqualTo("[1,3,1,3]");
            assertThat(page.select("script[src]").eachAttr("src")).anyMatch(src -> src.matches("/webjars/uplot/[0-9.]+/dist/uPlot.iife.min.js"))
                    .anyMatch(src -> src.matches("/assets/[0-9a-f]{12}/chart.js"));
        });
    }

    @Test
    void the_total_is_exact_when_cheap_and_count_exact_counts_on_the_page_as_in_the_api() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(page(client, "/reports/visits_summary").selectFirst("#total").text()).isEqualTo("Rows 1–7 of 7 rows");
            var paged = page(client, "/reports/visits_summary?limit=2&offset=2");
            assertThat(paged.selectFirst("#total").text()).isEqualTo("Rows 3–4 of 7 rows");
            assertThat(paged.selectFirst(".pager a[rel=prev]").attr("href")).isEqualTo("/reports/visits_summary?limit=2");
            assertThat(paged.selectFirst(".pager a[rel=next]").attr("href")).isEqualTo("/reports/visits_summary?limit=2&offset=4");
            assertThat(page(client, "/reports/visits_summary?limit=2&count=exact").selectFirst("#total").text()).isEqualTo("Rows 1–2 of 7 rows");
            var api = client.get("/api/reports/visits_summary?limit=2&count=exact");
            assertThat(api.code()).isEqualTo(206);
            assertThat(header(api, "Content-Range")).isEqualTo("0-1/7");
            assertThat(client.get("/api/reports/visits_summary?count=planned").code()).isEqualTo(400);
            assertThat(client.get("/api/reports/visits_summary?limt=5").code()).as("unknown parameters are still refused").isEqualTo(400);
        });
    }

    @Test
    void downloads_are_the_same_query_as_csv_without_a_limit_and_as_json() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visits_summary?section=eq.index&order=visits.desc&limit=2&offset=2");
            assertThat(page.select(".downloads a").eachAttr("href")).containsExactly(
                    "/api/reports/visits_summary.csv?section=eq.index&order=visits.desc",
                    "/api/reports/visits_summary.csv?section=eq.index&order=visits.desc&bom=true",
                    "/api/reports/visits_summary?section=eq.index&order=visits.desc&limit=2&offset=2",
                    "/reports/visits_summary/compare?section=eq.index",
                    "/reports/visits_summary?section=eq.index&order=visits.desc&limit=2&offset=2&source=materialized&realtime=true");
            var stored = page(client, "/reports/section_daily");
            assertThat(stored.selectFirst(".freshness").text()).matches("refreshed " + MOMENT + ", every 15 min");
            assertThat(stored.selectFirst(".downloads a:contains(As of now)").attr("href")).isEqualTo("/reports/section_daily?realtime=true");
        });
    }

    @Test
    void values_holding_markup_are_shown_as_text_and_run_nothing() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/reports/visit_log?user_id=eq.5", b -> b.header("Accept", "text/html"));
            var html = response.body().string();
            assertThat(html).doesNotContain(XSS).contains("&lt;img src=x onerror=alert(1)>")
                    .doesNotContain("<script>alert").doesNotContain("</script><script>");
            var page = Jsoup.parse(html);
            assertThat(rows(page).getFirst()).isEqualTo("100 | 2026-01-12T10:00:00Z | </script><script>alert(3)</script> | 1500 | 5 | " + XSS
                    + " | \"><script>alert(2)</script>");
            assertThat(page.select("img")).isEmpty();
            assertThat(page.select("script:not([src])")).hasSize(1).allMatch(s -> s.attr("type").equals("application/json"));
            var chart = JSON.readTree(page.selectFirst("script#chart-data").data());
            assertThat(chart.get("x").size()).isEqualTo(1);
        });
    }

    @Test
    void pages_carry_a_strict_content_security_policy_and_assets_are_cached_at_versioned_urls() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/reports/visits_summary");
            assertThat(header(response, "Content-Security-Policy"))
                    .isEqualTo("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
            assertThat(header(response, "X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(header(response, "Referrer-Policy")).isEqualTo("same-origin");
            var page = Jsoup.parse(response.body().string());
            assertThat(page.select("[style]")).isEmpty();
            assertThat(page.select("style")).isEmpty();
            assertThat(page.select("*").stream().flatMap(e -> e.attributes().asList().stream()).filter(a -> a.getKey().startsWith("on"))).isEmpty();
            var urls = new ArrayList<String>();
            urls.addAll(page.select("link[rel=stylesheet]").eachAttr("href"));
            urls.addAll(page.select("script[src]").eachAttr("src"));
            assertThat(urls).hasSize(5).allMatch(url -> url.startsWith("/assets/") || url.startsWith("/webjars/uplot/"));
            for (var url : urls) {
                var asset = client.get(url);
                assertThat(asset.code()).as(url).isEqualTo(200);
                assertThat(header(asset, "Cache-Control")).as(url).contains("max-age=");
                assertThat(header(asset, "X-Content-Type-Options")).as(url).isEqualTo("nosniff");
                assertThat(header(asset, "Content-Type")).as(url).matches("(text/css|text/javascript|application/javascript).*");
            }
        });
    }

    @Test
    void a_bad_parameter_is_a_400_page_with_the_form_and_the_message_next_to_its_field() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/reports/visits_summary?section=eq.index&limit=20000", b -> b.header("Accept", "text/html"));
            assertThat(response.code()).isEqualTo(400);
            var page = Jsoup.parse(response.body().string());
            assertThat(page.selectFirst("h1").text()).isEqualTo("This query cannot be answered");
            var limit = page.selectFirst("input#limit");
            assertThat(limit.attr("value")).isEqualTo("20000");
            assertThat(limit.attr("aria-invalid")).isEqualTo("true");
            assertThat(page.selectFirst("#" + limit.attr("aria-describedby")).text()).isEqualTo("limit=20000 is more than the maximum of 10000 rows");
            assertThat(page.selectFirst(".error-summary")).isNotNull();

            var badValue = Jsoup.parse(client.get("/reports/visits_summary?user_id=eq.abc").body().string());
            var row = badValue.selectFirst(".filter-row.invalid");
            assertThat(row.selectFirst("input[type=hidden]").attr("value")).isEqualTo("user_id");
            assertThat(row.selectFirst("input[aria-invalid]").attr("value")).isEqualTo("abc");
            assertThat(row.selectFirst(".field-error").text()).isEqualTo("user_id=eq.abc: 'abc' is not a valid bigint");

            var unknown = Jsoup.parse(client.get("/reports/visits_summary?limt=5").body().string());
            assertThat(unknown.selectFirst(".filter-row.invalid .field-error").text()).isEqualTo("filter limt=5 is not operator.value");

            var json = client.get("/api/reports/visits_summary?limit=20000", b -> b.header("Accept", "text/html,*/*"));
            assertThat(json.code()).isEqualTo(400);
            assertThat(JSON.readTree(json.body().string()).get("code").asText()).isEqualTo("limit_too_large");
        });
    }

    @Test
    void an_unknown_report_is_a_404_page_and_json_clients_keep_their_json() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = client.get("/reports/nope");
            assertThat(page.code()).isEqualTo(404);
            assertThat(header(page, "Content-Type")).startsWith("text/html");
            assertThat(header(page, "Content-Security-Policy")).startsWith("default-src 'none'");
            assertThat(Jsoup.parse(page.body().string()).selectFirst(".error-message").text()).contains("nope");
            var browser = client.get("/no/such/page", b -> b.header("Accept", "text/html"));
            assertThat(browser.code()).isEqualTo(404);
            assertThat(header(browser, "Content-Type")).startsWith("text/html");
            var api = client.get("/api/reports/nope", b -> b.header("Accept", "text/html"));
            assertThat(api.code()).isEqualTo(404);
            assertThat(JSON.readTree(api.body().string()).get("code").asText()).isEqualTo("unknown_report");
            assertThat(JSON.readTree(client.get("/no/such/path").body().string()).get("code").asText()).isEqualTo("not_found");
        });
    }

    @Test
    void the_database_down_is_a_503_page_without_a_stack_trace() {
        try (var unreachable = TestDatabase.unreachable()) {
            TestApp.serve(CONFIG, unreachable, (server, client) -> {
                var response = client.get("/reports/visits_summary");
                assertThat(response.code()).isEqualTo(503);
                var page = Jsoup.parse(response.body().string());
                assertThat(page.selectFirst("h1").text()).isEqualTo("The database is unavailable");
                assertThat(page.text()).doesNotContain("Exception").doesNotContain("at dev.vista");
            });
        }
    }

    @Test
    void the_compare_page_shows_each_source_side_by_side_with_one_verdict() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var page = page(client, "/reports/visits_summary/compare?section=eq.index");
            assertThat(page.select(".source h2").eachText()).containsExactly("view", "materialized", "groupby");
            assertThat(page.selectFirst(".verdict").text()).isEqualTo("All 3 sources returned the same 3 rows, in the same order.");
            assertThat(page.selectFirst(".verdict").hasClass("same")).isTrue();
            var view = page.selectFirst("section.source:has(h2:contains(view))");
            assertThat(view.selectFirst("pre.sql").text()).contains("from \"visits_summary\"").contains("where \"visits_summary\".\"section\" = 'index'");
            assertThat(view.selectFirst("pre.sql").wholeText()).contains("\n");
            assertThat(view.select("dt").eachText()).containsExactly("Planning", "Execution", "Top plan node", "Buffers", "Rows", "MD5 of the rows");
            assertThat(view.selectFirst(".cost").text()).startsWith("A plain view: PostgreSQL runs its query on every read");
            assertThat(page.selectFirst("section.source:has(h2:contains(materialized)) .cost").text()).contains("as old as that refresh");
            assertThat(page.select("table.bars tbody th").eachText()).containsExactly("view", "materialized", "groupby");
            assertThat(page.select("table.bars rect").eachAttr("width")).hasSize(3).contains("100.0");
        });
    }
}
