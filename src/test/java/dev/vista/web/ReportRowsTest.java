package dev.vista.web;

import static dev.vista.testing.ReportFixture.param;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.config.Config;
import dev.vista.testing.ReportFixture;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/reports/{name} with PostgREST's filters, order, select, paging and counts, on a small known data set. */
class ReportRowsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static HikariDataSource dataSource;
    static final Config CONFIG = Config.fromEnvironment(Map.of());

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("report_rows");
        ReportFixture.load(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    // ---- helpers: a response's rows as "value value ..." lines, every column in order

    static List<String> lines(Response response) throws Exception {
        assertThat(response.code()).as(response.body().string()).isEqualTo(200);
        var rows = new ArrayList<String>();
        for (var row : JSON.readTree(response.body().string())) {
            rows.add(line(row));
        }
        return rows;
    }

    static String line(JsonNode row) {
        var values = new ArrayList<String>();
        row.properties().forEach(e -> values.add(e.getValue().isNull() ? "null" : e.getValue().asText()));
        return String.join(" ", values);
    }

    static List<String> summary(HttpClient client, String... params) throws Exception {
        return lines(client.get("/api/reports/visits_summary?" + String.join("&", params)));
    }

    static String query(String... nameValues) {
        return IntStream.range(0, nameValues.length / 2).mapToObj(i -> param(nameValues[2 * i], nameValues[2 * i + 1]))
                .collect(Collectors.joining("&"));
    }

    static final List<String> ALL_SUMMARY = List.of(
            "1 dashboard 2026-01-11 1",
            "1 index 2026-01-10 2",
            "2 index 2025-12-31 1",
            "2 index 2026-01-10 1",
            "2 settings 2026-01-12 1",
            "4 Dashboard 2026-01-12 1");

    // ---- rows, order, select, paging

    @Test
    void a_report_without_parameters_is_its_rows_in_key_order_as_a_json_array() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/api/reports/visits_summary");
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.headers().get("Content-Type").getFirst()).isEqualTo("application/json");
            assertThat(response.body().string()).isEqualTo("["
                    + "{\"user_id\":1,\"section\":\"dashboard\",\"visit_date\":\"2026-01-11\",\"visits\":1},"
                    + "{\"user_id\":1,\"section\":\"index\",\"visit_date\":\"2026-01-10\",\"visits\":2},"
                    + "{\"user_id\":2,\"section\":\"index\",\"visit_date\":\"2025-12-31\",\"visits\":1},"
                    + "{\"user_id\":2,\"section\":\"index\",\"visit_date\":\"2026-01-10\",\"visits\":1},"
                    + "{\"user_id\":2,\"section\":\"settings\",\"visit_date\":\"2026-01-12\",\"visits\":1},"
                    + "{\"user_id\":4,\"section\":\"Dashboard\",\"visit_date\":\"2026-01-12\",\"visits\":1}]");
        });
    }

    @Test
    void timestamps_are_iso_8601_with_seconds_and_offset_and_nulls_are_json_nulls() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/api/reports/user_stats?user_id=in.(2,3)");
            assertThat(response.body().string()).isEqualTo("["
                    + "{\"user_id\":2,\"username\":\"bob\",\"total_visits\":3,\"first_visit\":\"2025-12-31T23:59:59.5Z\","
                    + "\"last_visit\":\"2026-01-12T08:00:00Z\",\"distinct_sections\":2,\"visits_last_30_days\":0},"
                    + "{\"user_id\":3,\"username\":\"carol\",\"total_visits\":0,\"first_visit\":null,"
                    + "\"last_visit\":null,\"distinct_sections\":0,\"visits_last_30_days\":0}]");
        });
    }

    @Test
    void order_sorts_by_several_columns_and_the_key_breaks_ties() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(summary(client, "order=visits.desc,user_id.desc")).containsExactly(
                    "1 index 2026-01-10 2",
                    "4 Dashboard 2026-01-12 1",
                    "2 index 2025-12-31 1",
                    "2 index 2026-01-10 1",
                    "2 settings 2026-01-12 1",
                    "1 dashboard 2026-01-11 1");
            assertThat(summary(client, "order=visit_date.asc,user_id")).containsExactly(
                    "2 index 2025-12-31 1",
                    "1 index 2026-01-10 2",
                    "2 index 2026-01-10 1",
                    "1 dashboard 2026-01-11 1",
                    "2 settings 2026-01-12 1",
                    "4 Dashboard 2026-01-12 1");
        });
    }

    @Test
    void nulls_go_first_or_last_as_asked() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var path = "/api/reports/user_stats?select=user_id,first_visit&order=";
            assertThat(lines(client.get(path + "first_visit.asc.nullsfirst"))).containsExactly(
                    "3 null", "2 2025-12-31T23:59:59.5Z", "1 2026-01-10T10:00:00Z", "4 2026-01-12T09:00:00Z");
            assertThat(lines(client.get(path + "first_visit.desc.nullslast"))).containsExactly(
                    "4 2026-01-12T09:00:00Z", "1 2026-01-10T10:00:00Z", "2 2025-12-31T23:59:59.5Z", "3 null");
            assertThat(lines(client.get(path + "first_visit.nullslast"))).containsExactly(
                    "2 2025-12-31T23:59:59.5Z", "1 2026-01-10T10:00:00Z", "4 2026-01-12T09:00:00Z", "3 null");
        });
    }

    @Test
    void select_returns_only_the_named_columns_in_that_order_and_star_returns_all() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/api/reports/visits_summary?select=visits,user_id&order=visits.desc&limit=2");
            assertThat(response.body().string()).isEqualTo("[{\"visits\":2,\"user_id\":1},{\"visits\":1,\"user_id\":1}]");
            assertThat(summary(client, "select=*")).isEqualTo(ALL_SUMMARY);
        });
    }

    @Test
    void limit_and_offset_page_through_the_rows() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(summary(client, "limit=2")).isEqualTo(ALL_SUMMARY.subList(0, 2));
            assertThat(summary(client, "limit=2", "offset=2")).isEqualTo(ALL_SUMMARY.subList(2, 4));
            assertThat(summary(client, "offset=5")).isEqualTo(ALL_SUMMARY.subList(5, 6));
            assertThat(summary(client, "limit=0")).isEmpty();
            assertThat(summary(client, "offset=100")).isEmpty();
        });
    }

    // ---- filters: every operator on every column type

    @Test
    void comparison_operators_on_a_bigint_column() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(summary(client, "user_id=eq.2")).isEqualTo(ALL_SUMMARY.subList(2, 5));
            assertThat(summary(client, "user_id=neq.2")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(1), ALL_SUMMARY.get(5));
            assertThat(summary(client, "user_id=gt.2")).containsExactly(ALL_SUMMARY.get(5));
            assertThat(summary(client, "user_id=gte.2")).isEqualTo(ALL_SUMMARY.subList(2, 6));
            assertThat(summary(client, "user_id=lt.2")).isEqualTo(ALL_SUMMARY.subList(0, 2));
            assertThat(summary(client, "user_id=lte.2")).isEqualTo(ALL_SUMMARY.subList(0, 5));
            assertThat(summary(client, "visits=eq.2")).containsExactly(ALL_SUMMARY.get(1));
            assertThat(summary(client, "user_id=in.(1,4)")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(1), ALL_SUMMARY.get(5));
            assertThat(summary(client, "user_id=not.in.(1,4)")).isEqualTo(ALL_SUMMARY.subList(2, 5));
            assertThat(summary(client, "user_id=in.()")).isEmpty();
            assertThat(summary(client, "user_id=not.eq.2")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(1), ALL_SUMMARY.get(5));
            assertThat(summary(client, "user_id=is.null")).isEmpty();
            assertThat(summary(client, "user_id=is.not_null")).isEqualTo(ALL_SUMMARY);
            assertThat(summary(client, query("user_id", "eq.+2"))).isEqualTo(ALL_SUMMARY.subList(2, 5));
        });
    }

    @Test
    void several_filters_on_one_column_are_anded() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(summary(client, "user_id=gte.2", "user_id=lt.4")).isEqualTo(ALL_SUMMARY.subList(2, 5));
            assertThat(summary(client, "visit_date=gte.2026-01-01", "visit_date=lt.2026-01-11", "user_id=eq.2"))
                    .containsExactly(ALL_SUMMARY.get(3));
        });
    }

    @Test
    void text_operators_eq_neq_like_ilike_in_and_comparisons() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(summary(client, "section=eq.index")).isEqualTo(ALL_SUMMARY.subList(1, 4));
            assertThat(summary(client, "section=neq.index")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(4), ALL_SUMMARY.get(5));
            assertThat(summary(client, "section=like.*ash*")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(5));
            assertThat(summary(client, "section=like.dash*")).containsExactly(ALL_SUMMARY.get(0));
            assertThat(summary(client, "section=ilike.DASH*")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(5));
            assertThat(summary(client, "section=not.ilike.*a*")).isEqualTo(ALL_SUMMARY.subList(1, 5));
            assertThat(summary(client, "section=in.(settings,dashboard)")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(4));
            assertThat(summary(client, "section=gt.r", "section=lt.t")).containsExactly(ALL_SUMMARY.get(4));
            assertThat(lines(client.get("/api/reports/user_stats?select=user_id,username&" + param("username", "in.(\"dave, jr\",alice)"))))
                    .containsExactly("1 alice", "4 dave, jr");
            assertThat(lines(client.get("/api/reports/user_stats?select=username&" + param("username", "eq.dave, jr"))))
                    .containsExactly("dave, jr");
        });
    }

    @Test
    void is_null_and_not_null_on_a_text_column_with_nulls() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(lines(client.get("/api/reports/visit_log?select=visit_id,email&email=is.null")))
                    .containsExactly("4 null", "5 null", "6 null");
            assertThat(lines(client.get("/api/reports/visit_log?select=visit_id&email=not.is.null")))
                    .containsExactly("1", "2", "3", "7");
            assertThat(lines(client.get("/api/reports/visit_log?select=visit_id&email=is.not_null&section=eq.index")))
                    .containsExactly("1", "2");
        });
    }

    @Test
    void date_operators() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(summary(client, "visit_date=eq.2026-01-10")).containsExactly(ALL_SUMMARY.get(1), ALL_SUMMARY.get(3));
            assertThat(summary(client, "visit_date=neq.2026-01-10")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(2), ALL_SUMMARY.get(4), ALL_SUMMARY.get(5));
            assertThat(summary(client, "visit_date=gt.2026-01-11")).containsExactly(ALL_SUMMARY.get(4), ALL_SUMMARY.get(5));
            assertThat(summary(client, "visit_date=gte.2026-01-11")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(4), ALL_SUMMARY.get(5));
            assertThat(summary(client, "visit_date=lt.2026-01-01")).containsExactly(ALL_SUMMARY.get(2));
            assertThat(summary(client, "visit_date=lte.2026-01-10")).containsExactly(ALL_SUMMARY.get(1), ALL_SUMMARY.get(2), ALL_SUMMARY.get(3));
            assertThat(summary(client, "visit_date=in.(2025-12-31,2026-01-11)")).containsExactly(ALL_SUMMARY.get(0), ALL_SUMMARY.get(2));
        });
    }

    @Test
    void timestamptz_operators_accept_iso_8601_with_or_without_offset() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var path = "/api/reports/visit_log?select=visit_id&";
            assertThat(lines(client.get(path + query("visit_time", "gte.2026-01-12T00:00:00Z")))).containsExactly("5", "7");
            assertThat(lines(client.get(path + query("visit_time", "gte.2026-01-12T09:00:00+01:00")))).containsExactly("5", "7");
            // an unencoded "+" arrives as a space; PostgreSQL's own "2026-01-12 08:00:00+00" spelling works too
            assertThat(lines(client.get(path + "visit_time=gte.2026-01-12T09:00:00+01:00"))).containsExactly("5", "7");
            assertThat(lines(client.get(path + query("visit_time", "eq.2026-01-12 08:00:00+00")))).containsExactly("5");
            assertThat(lines(client.get(path + query("visit_time", "lt.2026-01-01")))).containsExactly("6");
            assertThat(lines(client.get(path + query("visit_time", "eq.2025-12-31T23:59:59.5")))).containsExactly("6");
            assertThat(lines(client.get(path + query("visit_time", "lte.2026-01-10T10:00:00Z", "visit_time", "neq.2025-12-31T23:59:59.5Z"))))
                    .containsExactly("1");
            assertThat(lines(client.get(path + query("visit_time", "in.(2026-01-10T10:00:00Z,2026-01-10T12:00:00Z)")))).containsExactly("1", "4");
            assertThat(lines(client.get("/api/reports/user_stats?select=user_id&first_visit=is.null"))).containsExactly("3");
        });
    }

    @Test
    void integer_and_numeric_operators() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            assertThat(lines(client.get("/api/reports/visit_log?select=visit_id,duration_ms&duration_ms=gt.100&duration_ms=lte.300")))
                    .containsExactly("2 300", "3 200");
            assertThat(lines(client.get("/api/reports/visit_log?select=visit_id&duration_ms=in.(20,50)"))).containsExactly("5", "7");
            var daily = "/api/reports/section_daily?select=visit_date,section,p50_duration_ms,p95_duration_ms&";
            assertThat(lines(client.get(daily + "p50_duration_ms=gte.300"))).containsExactly("2026-01-10 index 300.0 930.0");
            assertThat(lines(client.get(daily + "p95_duration_ms=lt.50.5"))).containsExactly("2026-01-12 Dashboard 20.0 20.0", "2026-01-12 settings 50.0 50.0");
            assertThat(lines(client.get(daily + "p50_duration_ms=eq.20"))).containsExactly("2026-01-12 Dashboard 20.0 20.0");
        });
    }

    // ---- counts and single objects

    @Test
    void prefer_count_exact_adds_content_range_and_206_for_a_partial_page() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var partial = client.get("/api/reports/visits_summary?limit=2&offset=1", req -> req.header("Prefer", "count=exact"));
            assertThat(partial.code()).isEqualTo(206);
            assertThat(partial.headers().get("Content-Range")).containsExactly("1-2/6");
            assertThat(lines200(partial)).isEqualTo(ALL_SUMMARY.subList(1, 3));

            var whole = client.get("/api/reports/visits_summary?user_id=eq.2", req -> req.header("Prefer", "count=exact"));
            assertThat(whole.code()).isEqualTo(200);
            assertThat(whole.headers().get("Content-Range")).containsExactly("0-2/3");

            var empty = client.get("/api/reports/visits_summary?user_id=eq.99", req -> req.header("Prefer", "count=exact"));
            assertThat(empty.code()).isEqualTo(200);
            assertThat(empty.headers().get("Content-Range")).containsExactly("*/0");
            assertThat(empty.body().string()).isEqualTo("[]");

            var past = client.get("/api/reports/visits_summary?offset=6", req -> req.header("Prefer", "count=exact"));
            assertThat(past.code()).isEqualTo(206);
            assertThat(past.headers().get("Content-Range")).containsExactly("*/6");

            var beyond = client.get("/api/reports/visits_summary?offset=7", req -> req.header("Prefer", "count=exact"));
            assertThat(beyond.code()).isEqualTo(416);
            assertThat(beyond.body().string()).isEqualTo("{\"code\":\"range_not_satisfiable\",\"message\":\"offset 7 is beyond the 6 matching rows\","
                    + "\"details\":{\"total\":6},\"hint\":\"use an offset below 6\"}");

            var without = client.get("/api/reports/visits_summary?limit=2");
            assertThat(without.headers().get("Content-Range")).isNull();
        });
    }

    static List<String> lines200(Response response) throws Exception {
        var rows = new ArrayList<String>();
        for (var row : JSON.readTree(response.body().string())) {
            rows.add(line(row));
        }
        return rows;
    }

    @Test
    void accept_pgrst_object_returns_exactly_one_row_as_an_object_or_406() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var one = client.get("/api/reports/user_stats?user_id=eq.1&select=user_id,username",
                    req -> req.header("Accept", "application/vnd.pgrst.object+json"));
            assertThat(one.code()).isEqualTo(200);
            assertThat(one.headers().get("Content-Type").getFirst()).isEqualTo("application/vnd.pgrst.object+json; charset=utf-8");
            assertThat(one.body().string()).isEqualTo("{\"user_id\":1,\"username\":\"alice\"}");

            var none = client.get("/api/reports/user_stats?user_id=eq.99", req -> req.header("Accept", "application/vnd.pgrst.object+json"));
            assertThat(none.code()).isEqualTo(406);
            assertThat(none.body().string()).isEqualTo("{\"code\":\"not_one_row\",\"message\":\"a single object was asked for "
                    + "(Accept: application/vnd.pgrst.object+json) but the query returns no rows\",\"details\":null,"
                    + "\"hint\":\"filter the report down to exactly one row, e.g. by its key\"}");

            var many = client.get("/api/reports/user_stats", req -> req.header("Accept", "application/vnd.pgrst.object+json"));
            assertThat(many.code()).isEqualTo(406);
            assertThat(JSON.readTree(many.body().string()).get("message").asText()).endsWith("returns more than one row");
        });
    }

    @Test
    void accept_negotiation_serves_json_to_browsers_and_406_to_formats_it_cannot_write() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var browser = client.get("/api/reports/visits_summary?limit=1",
                    req -> req.header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
            assertThat(browser.code()).isEqualTo(200);
            var xml = client.get("/api/reports/visits_summary", req -> req.header("Accept", "application/xml"));
            assertThat(xml.code()).isEqualTo(406);
            assertThat(xml.body().string()).isEqualTo("{\"code\":\"not_acceptable\",\"message\":\"cannot answer with application/xml\","
                    + "\"details\":{\"available\":[\"application/json\",\"application/vnd.pgrst.object+json\",\"text/csv\"]},"
                    + "\"hint\":\"send Accept: application/json (rows), application/vnd.pgrst.object+json (exactly one row) or text/csv\"}");
        });
    }

    // ---- errors, each with its exact status and body

    @Test
    void an_unknown_report_is_404() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/api/reports/nope?limit=abc");
            assertThat(response.code()).isEqualTo(404);
            assertThat(response.body().string()).isEqualTo("{\"code\":\"unknown_report\",\"message\":\"no report named 'nope'\","
                    + "\"details\":null,\"hint\":\"GET /api/reports lists them\"}");
            assertThat(client.get("/api/reports/nope/compare").code()).isEqualTo(404);
        });
    }

    static final String COLUMNS = "[\"user_id\",\"section\",\"visit_date\",\"visits\"]";
    static final String COLUMN_HINT = "\"hint\":\"filter, order and select by the columns listed; the other query parameters are select, order, limit, offset and source\"}";

    @Test
    void an_unknown_column_in_a_filter_order_or_select_is_400_naming_it() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var filter = client.get("/api/reports/visits_summary?colour=eq.red");
            assertThat(filter.code()).isEqualTo(400);
            assertThat(filter.body().string()).isEqualTo("{\"code\":\"unknown_column\",\"message\":\"visits_summary has no column 'colour'\","
                    + "\"details\":{\"parameter\":\"colour\",\"column\":\"colour\",\"columns\":" + COLUMNS + "}," + COLUMN_HINT);
            var order = client.get("/api/reports/visits_summary?order=visits.desc,colour");
            assertThat(order.code()).isEqualTo(400);
            assertThat(order.body().string()).isEqualTo("{\"code\":\"unknown_column\",\"message\":\"visits_summary has no column 'colour' (in order)\","
                    + "\"details\":{\"parameter\":\"order\",\"column\":\"colour\",\"columns\":" + COLUMNS + "}," + COLUMN_HINT);
            var select = client.get("/api/reports/visits_summary?select=user_id,colour");
            assertThat(select.code()).isEqualTo(400);
            assertThat(select.body().string()).isEqualTo("{\"code\":\"unknown_column\",\"message\":\"visits_summary has no column 'colour' (in select)\","
                    + "\"details\":{\"parameter\":\"select\",\"column\":\"colour\",\"columns\":" + COLUMNS + "}," + COLUMN_HINT);
            // a typo of a reserved parameter is a filter on a column that does not exist: an error, not a silent default
            var typo = client.get("/api/reports/visits_summary?limt=5");
            assertThat(typo.code()).isEqualTo(400);
            assertThat(JSON.readTree(typo.body().string()).get("details").get("parameter").asText()).isEqualTo("limt");
        });
    }

    @Test
    void a_value_of_the_wrong_type_is_400_naming_the_parameter_and_the_type() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var bigint = client.get("/api/reports/visits_summary?user_id=eq.abc");
            assertThat(bigint.code()).isEqualTo(400);
            assertThat(bigint.body().string()).isEqualTo("{\"code\":\"invalid_value\",\"message\":\"user_id=eq.abc: 'abc' is not a valid bigint\","
                    + "\"details\":{\"parameter\":\"user_id\",\"value\":\"abc\",\"expected\":\"bigint\"},\"hint\":\"a whole number, e.g. 42\"}");
            var date = client.get("/api/reports/visits_summary?visit_date=gte.2026-13-01");
            assertThat(date.code()).isEqualTo(400);
            assertThat(date.body().string()).isEqualTo("{\"code\":\"invalid_value\",\"message\":\"visit_date=gte.2026-13-01: '2026-13-01' is not a valid date\","
                    + "\"details\":{\"parameter\":\"visit_date\",\"value\":\"2026-13-01\",\"expected\":\"date\"},\"hint\":\"a date as YYYY-MM-DD, e.g. 2026-11-01\"}");
            var inList = client.get("/api/reports/visits_summary?user_id=in.(1,x)");
            assertThat(JSON.readTree(inList.body().string()).get("message").asText()).isEqualTo("user_id=in.(1,x): 'x' is not a valid bigint");
            var timestamp = client.get("/api/reports/visit_log?visit_time=lt.yesterday");
            assertThat(timestamp.code()).isEqualTo(400);
            assertThat(JSON.readTree(timestamp.body().string()).get("details").toString())
                    .isEqualTo("{\"parameter\":\"visit_time\",\"value\":\"yesterday\",\"expected\":\"timestamptz\"}");
            var integer = client.get("/api/reports/visit_log?duration_ms=eq.99999999999");
            assertThat(JSON.readTree(integer.body().string()).get("message").asText()).isEqualTo("duration_ms=eq.99999999999: '99999999999' is not a valid integer");
            var numeric = client.get("/api/reports/section_daily?p50_duration_ms=gt.NaN");
            assertThat(JSON.readTree(numeric.body().string()).get("details").get("expected").asText()).isEqualTo("numeric");
        });
    }

    @Test
    void malformed_filters_orders_selects_and_operators_on_the_wrong_type_are_400() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var noOperator = client.get("/api/reports/visits_summary?section=dashboard");
            assertThat(noOperator.code()).isEqualTo(400);
            assertThat(noOperator.body().string()).isEqualTo("{\"code\":\"invalid_filter\",\"message\":\"filter section=dashboard is not operator.value\","
                    + "\"details\":{\"parameter\":\"section\",\"value\":\"dashboard\"},\"hint\":\"write column=operator.value with operator one of "
                    + "eq, neq, gt, gte, lt, lte, like, ilike, in, is; e.g. section=eq.42, optionally negated as section=not.eq.42\"}");
            var likeOnNumber = client.get("/api/reports/visits_summary?visits=like.1*");
            assertThat(likeOnNumber.code()).isEqualTo(400);
            assertThat(likeOnNumber.body().string()).isEqualTo("{\"code\":\"invalid_operator\",\"message\":\"visits=like.1*: like works on text columns only;"
                    + " visits is bigint\",\"details\":{\"parameter\":\"visits\",\"operator\":\"like\",\"type\":\"bigint\"},"
                    + "\"hint\":\"use eq, neq, gt, gte, lt, lte, in or is on bigint columns\"}");
            var isTrue = client.get("/api/reports/visits_summary?visits=is.true");
            assertThat(JSON.readTree(isTrue.body().string()).get("code").asText()).isEqualTo("invalid_operator");
            var badOrder = client.get("/api/reports/visits_summary?order=visits.down");
            assertThat(badOrder.code()).isEqualTo(400);
            assertThat(badOrder.body().string()).isEqualTo("{\"code\":\"invalid_order\",\"message\":\"order=visits.down: cannot read 'visits.down'\","
                    + "\"details\":{\"parameter\":\"order\",\"value\":\"visits.down\"},\"hint\":\"write order=column[.asc|.desc][.nullsfirst|.nullslast],"
                    + " several separated by commas, e.g. order=visits.desc,user_id\"}");
            var rename = client.get("/api/reports/visits_summary?select=n:visits");
            assertThat(JSON.readTree(rename.body().string()).get("code").asText()).isEqualTo("invalid_select");
            var or = client.get("/api/reports/visits_summary?or=(user_id.eq.1,user_id.eq.2)");
            assertThat(or.code()).isEqualTo(400);
            assertThat(or.body().string()).isEqualTo("{\"code\":\"unsupported_parameter\",\"message\":\"or=... (PostgREST's logical groups) is not supported\","
                    + "\"details\":{\"parameter\":\"or\"},\"hint\":\"filters on different parameters are ANDed; for OR on one column use in.(a,b)\"}");
            var unclosed = client.get("/api/reports/visits_summary?" + param("section", "in.(\"a,b)"));
            assertThat(JSON.readTree(unclosed.body().string()).get("message").asText()).isEqualTo("section=in.(\"a,b): a double quote is not closed");
        });
    }

    @Test
    void a_limit_over_the_maximum_or_negative_and_a_repeated_limit_are_400() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var tooMany = client.get("/api/reports/visits_summary?limit=10001");
            assertThat(tooMany.code()).isEqualTo(400);
            assertThat(tooMany.body().string()).isEqualTo("{\"code\":\"limit_too_large\",\"message\":\"limit=10001 is more than the maximum of 10000 rows\","
                    + "\"details\":{\"parameter\":\"limit\",\"maximum\":10000},\"hint\":\"page through the report with limit and offset, or download it as CSV\"}");
            assertThat(client.get("/api/reports/visits_summary?limit=10000").code()).isEqualTo(200);
            var negative = client.get("/api/reports/visits_summary?limit=-1");
            assertThat(negative.body().string()).isEqualTo("{\"code\":\"invalid_value\",\"message\":\"limit=-1: expected a whole number >= 0\","
                    + "\"details\":{\"parameter\":\"limit\",\"value\":\"-1\",\"expected\":\"integer >= 0\"},\"hint\":null}");
            var repeated = client.get("/api/reports/visits_summary?limit=1&limit=2");
            assertThat(repeated.code()).isEqualTo(400);
            assertThat(repeated.body().string()).isEqualTo("{\"code\":\"repeated_parameter\",\"message\":\"limit is given 2 times\","
                    + "\"details\":{\"parameter\":\"limit\",\"values\":[\"1\",\"2\"]},\"hint\":\"give limit once\"}");
        });
    }

    // ---- sources

    @Test
    void every_source_returns_the_same_rows_for_the_same_query() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            for (var q : List.of("", "order=visits.desc,section.desc", "user_id=gte.2&visit_date=lt.2026-01-12&limit=2&offset=1",
                    "section=ilike.*a*&select=section,visits")) {
                var view = client.get("/api/reports/visits_summary?source=view&" + q).body().string();
                assertThat(client.get("/api/reports/visits_summary?source=groupby&" + q).body().string()).isEqualTo(view);
                assertThat(client.get("/api/reports/visits_summary?source=materialized&" + q).body().string()).isEqualTo(view);
                assertThat(client.get("/api/reports/visits_summary?" + q).body().string()).isEqualTo(view);
            }
            var stats = client.get("/api/reports/user_stats?order=total_visits.desc").body().string();
            assertThat(client.get("/api/reports/user_stats?order=total_visits.desc&source=groupby").body().string()).isEqualTo(stats);
        });
    }

    @Test
    void an_unknown_source_is_400_listing_the_sources_of_that_report() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/api/reports/user_stats?source=materialized");
            assertThat(response.code()).isEqualTo(400);
            assertThat(response.body().string()).isEqualTo("{\"code\":\"unknown_source\",\"message\":\"user_stats has no source 'materialized'\","
                    + "\"details\":{\"parameter\":\"source\",\"value\":\"materialized\",\"sources\":[\"view\",\"groupby\"]},"
                    + "\"hint\":\"source is one of view, groupby\"}");
        });
    }

    // ---- compare

    @Test
    void compare_runs_the_query_on_every_source_with_plans_times_and_agreement() {
        TestApp.serve(CONFIG, dataSource, (server, client) -> {
            var response = client.get("/api/reports/visits_summary/compare?user_id=eq.2&order=visits.desc");
            assertThat(response.code()).isEqualTo(200);
            var comparison = JSON.readTree(response.body().string());
            assertThat(comparison.get("report").asText()).isEqualTo("visits_summary");
            assertThat(comparison.get("identical").asBoolean()).isTrue();
            var sources = comparison.get("sources");
            assertThat(sources.findValuesAsText("source")).containsExactly("view", "materialized", "groupby");
            for (var source : sources) {
                assertThat(source.get("rows").asLong()).isEqualTo(3);
                assertThat(source.get("planning_ms").asDouble()).isPositive();
                assertThat(source.get("execution_ms").asDouble()).isPositive();
                assertThat(source.get("top_node").asText()).isNotBlank();
                assertThat(source.get("md5").asText()).isEqualTo(sources.get(0).get("md5").asText()).hasSize(32);
                assertThat(source.get("buffers").properties()).extracting(Map.Entry::getKey)
                        .containsExactly("shared_hit", "shared_read", "temp_read", "temp_written");
            }
            assertThat(sources.get(0).get("sql").asText()).isEqualTo("select \"visits_summary\".\"user_id\", \"visits_summary\".\"section\", "
                    + "\"visits_summary\".\"visit_date\", \"visits_summary\".\"visits\" from \"visits_summary\" where \"visits_summary\".\"user_id\" = 2 "
                    + "order by \"visits_summary\".\"visits\" desc, \"visits_summary\".\"user_id\" asc, \"visits_summary\".\"section\" asc, "
                    + "\"visits_summary\".\"visit_date\" asc");
            assertThat(sources.get(1).get("sql").asText()).contains("from \"visits_summary_mv\" as \"visits_summary\" where");
            assertThat(sources.get(2).get("sql").asText()).contains("from \"page_visits\" group by");
        });
    }
}
