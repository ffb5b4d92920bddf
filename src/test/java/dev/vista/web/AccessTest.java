package dev.vista.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.access.Caller;
import dev.vista.access.InvalidTokenException;
import dev.vista.config.Config;
import dev.vista.database.ReadSessions;
import dev.vista.report.Reports;
import dev.vista.testing.AccessFixture;
import dev.vista.testing.TestApp;
import io.javalin.testtools.FormBody;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Request;
import io.javalin.testtools.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: PostgreSQL's roles decide every answer. Three callers (anonymous, an analyst who may read every report, a
 * restricted user who may read only visit_log, behind a row-level security policy on page_visits by the token's sub)
 * against every output: the catalogue, rows as JSON and CSV, compare and OpenAPI; then the admin endpoints and the
 * browser's sign-in cookie. Expected rows are counted in the database itself.
 */
class AccessTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static AccessFixture fixture;
    static Config config;

    @BeforeAll
    static void database() {
        fixture = AccessFixture.create("access");
        config = fixture.config();
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    static List<String> every() {
        return List.of("daily_totals", "section_daily", "section_daily_incremental", "user_stats", "visit_log", "visits_summary",
                "visits_summary_mv");
    }

    Consumer<Request.Builder> as(String role, String sub) {
        var token = fixture.token(role, sub);
        return request -> request.header("Authorization", "Bearer " + token);
    }

    static Consumer<Request.Builder> anonymous() {
        return request -> { };
    }

    static JsonNode json(HttpClient client, String path, Consumer<Request.Builder> who) throws IOException {
        var response = client.get(path, who);
        assertThat(response.code()).as(path).isEqualTo(200);
        return JSON.readTree(response.body().string());
    }

    static List<String> names(JsonNode reports) {
        var names = new ArrayList<String>();
        reports.forEach(r -> names.add(r.get("name").asText()));
        return names;
    }

    static List<Long> longs(JsonNode rows, String column) {
        var values = new ArrayList<Long>();
        rows.forEach(r -> values.add(r.get(column).asLong()));
        return values;
    }

    @Test
    void the_catalogue_lists_exactly_the_reports_each_role_may_select_from() {
        TestApp.serve(config, fixture.vista, (server, client) -> {
            assertThat(names(json(client, "/api/reports", anonymous()))).containsExactly("section_daily", "visits_summary", "visits_summary_mv");
            assertThat(names(json(client, "/api/reports", as(fixture.analyst, null)))).containsExactlyElementsOf(every());
            assertThat(names(json(client, "/api/reports", as(fixture.restricted, "1")))).containsExactly("visit_log");
            // a source the role cannot read is not offered: the GROUP BY reads page_visits, which anonymous may not
            var summary = json(client, "/api/reports", anonymous()).get(1);
            assertThat(JSON.convertValue(summary.get("sources"), List.class)).containsExactly("view", "materialized");
            assertThat(summary.get("freshness").get("relation").asText()).isEqualTo("visits_summary_mv");
            var analysts = json(client, "/api/reports", as(fixture.analyst, null));
            assertThat(JSON.convertValue(analysts.get(every().indexOf("visits_summary")).get("sources"), List.class))
                    .containsExactly("view", "materialized", "groupby");
        });
    }

    @Test
    void rows_as_json_are_those_the_role_may_see_and_a_report_it_may_not_read_is_a_404() {
        var dsl = fixture.dsl();
        TestApp.serve(config, fixture.vista, (server, client) -> {
            var summary = json(client, "/api/reports/visits_summary", anonymous());
            assertThat(summary).hasSize(dsl.fetchCount(dsl.selectFrom("visits_summary")));
            assertThat(json(client, "/api/reports/visits_summary?source=materialized", anonymous())).isEqualTo(summary);
            var refused = client.get("/api/reports/visits_summary?source=groupby");
            assertThat(refused.code()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body().string()).get("code").asText()).isEqualTo("unknown_source");
            var absent = client.get("/api/reports/visit_log");
            assertThat(absent.code()).isEqualTo(404);
            assertThat(absent.body().string()).isEqualTo("{\"code\":\"unknown_report\",\"message\":\"no report named 'visit_log'\","
                    + "\"details\":null,\"hint\":\"GET /api/reports lists them\"}");

            var all = json(client, "/api/reports/visit_log", as(fixture.analyst, null));
            assertThat(longs(all, "visit_id")).containsExactlyElementsOf(
                    dsl.resultQuery("SELECT visit_id FROM visit_log ORDER BY visit_id").fetch(0, Long.class));
            assertThat(json(client, "/api/reports/visits_summary?source=groupby", as(fixture.analyst, null))).isEqualTo(summary);
            // a stored answer's validator is its caller's: the role, and the claims that policies may read
            var one = as(fixture.analyst, "1");
            var tag = client.get("/api/reports/visits_summary_mv", one).headers().get("ETag");
            assertThat(tag).hasSize(1);
            assertThat(client.get("/api/reports/visits_summary_mv", one).headers().get("ETag")).isEqualTo(tag);
            assertThat(client.get("/api/reports/visits_summary_mv", as(fixture.analyst, "2")).headers().get("ETag")).hasSize(1).isNotEqualTo(tag);
            assertThat(client.get("/api/reports/visits_summary_mv", anonymous()).headers().get("ETag")).hasSize(1).isNotEqualTo(tag);

            for (var user : List.of("1", "2", "3")) {
                var own = json(client, "/api/reports/visit_log", as(fixture.restricted, user));
                assertThat(longs(own, "visit_id")).as("user " + user).containsExactlyElementsOf(dsl.resultQuery(
                        "SELECT id FROM page_visits WHERE user_id = ? ORDER BY id", Long.parseLong(user)).fetch(0, Long.class));
                assertThat(longs(own, "user_id")).allMatch(id -> id == Long.parseLong(user));
            }
            assertThat(client.get("/api/reports/visits_summary", as(fixture.restricted, "1")).code()).isEqualTo(404);
            assertThat(client.get("/api/reports/user_stats", as(fixture.restricted, "1")).code()).isEqualTo(404);
            // a count is the role's count too
            var counted = client.get("/api/reports/visit_log?limit=1", as(fixture.restricted, "1").andThen(r -> r.header("Prefer", "count=exact")));
            assertThat(counted.headers().get("Content-Range").getFirst()).isEqualTo("0-0/3");
        });
    }

    @Test
    void csv_through_copy_holds_only_the_rows_the_role_may_see() {
        var dsl = fixture.dsl();
        TestApp.serve(config, fixture.vista, (server, client) -> {
            var own = client.get("/api/reports/visit_log.csv?select=visit_id,user_id", as(fixture.restricted, "2"));
            assertThat(own.code()).isEqualTo(200);
            assertThat(own.body().string()).isEqualTo("visit_id,user_id\n4,2\n5,2\n6,2\n");
            assertThat(dsl.fetchCount(dsl.selectFrom("page_visits").where("user_id = 2"))).isEqualTo(3);

            var all = client.get("/api/reports/visit_log.csv?select=visit_id", as(fixture.analyst, null)).body().string();
            assertThat(all.lines().skip(1).toList()).hasSize(dsl.fetchCount(dsl.selectFrom("page_visits")));
            assertThat(client.get("/api/reports/visit_log.csv").code()).isEqualTo(404);
            assertThat(client.get("/api/reports/visits_summary.csv").body().string().lines().count())
                    .isEqualTo(dsl.fetchCount(dsl.selectFrom("visits_summary")) + 1L);
        });
    }

    @Test
    void compare_shows_a_source_the_role_cannot_read_as_not_permitted_rather_than_failing() {
        TestApp.serve(config, fixture.vista, (server, client) -> {
            var comparison = json(client, "/api/reports/visits_summary/compare", anonymous());
            assertThat(comparison.get("identical").asBoolean()).isTrue();
            var sources = comparison.get("sources");
            assertThat(sources.findValuesAsText("source")).containsExactly("view", "materialized", "groupby");
            assertThat(sources.get(0).get("permitted").asBoolean()).isTrue();
            assertThat(sources.get(0).get("rows").asLong()).isEqualTo(6);
            assertThat(sources.get(1).get("permitted").asBoolean()).isTrue();
            var groupBy = sources.get(2);
            assertThat(groupBy.get("permitted").asBoolean()).isFalse();
            assertThat(groupBy.get("sql").isNull()).isTrue();
            assertThat(groupBy.get("rows").isNull()).isTrue();

            var analysts = json(client, "/api/reports/visits_summary/compare", as(fixture.analyst, null));
            assertThat(analysts.get("sources").findValuesAsText("permitted")).containsExactly("true", "true", "true");
            assertThat(analysts.get("identical").asBoolean()).isTrue();

            var own = json(client, "/api/reports/visit_log/compare", as(fixture.restricted, "4"));
            assertThat(own.get("sources").get(0).get("rows").asLong()).isEqualTo(1);
            assertThat(client.get("/api/reports/visit_log/compare").code()).isEqualTo(404);
        });
    }

    @Test
    void the_openapi_document_describes_only_the_reports_of_the_role() {
        TestApp.serve(config, fixture.vista, (server, client) -> {
            assertThat(paths(json(client, "/api/openapi.json", anonymous()))).containsExactly("/api/reports",
                    "/api/reports/section_daily", "/api/reports/section_daily/compare", "/api/reports/visits_summary",
                    "/api/reports/visits_summary/compare", "/api/reports/visits_summary_mv", "/api/reports/visits_summary_mv/compare");
            assertThat(paths(json(client, "/api/openapi.json", as(fixture.restricted, "1"))))
                    .containsExactly("/api/reports", "/api/reports/visit_log", "/api/reports/visit_log/compare");
            assertThat(paths(json(client, "/api/openapi.json", as(fixture.analyst, null)))).hasSize(1 + 2 * every().size());
            var source = json(client, "/api/openapi.json", anonymous()).at("/paths/~1api~1reports~1visits_summary/get/parameters");
            source.forEach(p -> {
                if (p.get("name").asText().equals("source")) {
                    assertThat(p.at("/schema/enum").toString()).isEqualTo("[\"view\",\"materialized\"]");
                }
            });
        });
    }

    /** POST /login with the form field token, and {@code more} headers. */
    static Response login(HttpClient client, String token, String... headers) {
        return client.request("/login", request -> {
            request.post(new FormBody.Builder().add("token", token).build());
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
        });
    }

    static List<String> paths(JsonNode document) {
        var paths = new ArrayList<String>();
        document.get("paths").fieldNames().forEachRemaining(paths::add);
        return paths;
    }

    @Test
    void api_views_lists_only_the_stored_views_the_role_may_read() {
        TestApp.serve(config, fixture.vista, (server, client) -> {
            assertThat(names(json(client, "/api/views", anonymous()))).containsExactly("section_daily", "visits_summary_mv");
            assertThat(names(json(client, "/api/views", as(fixture.restricted, "1")))).isEmpty();
            assertThat(names(json(client, "/api/views", as(fixture.analyst, null))))
                    .containsExactly("section_daily", "section_daily_incremental", "visits_summary_mv");
        });
    }

    @Test
    void visit_log_is_security_invoker_so_the_policy_applies_while_an_owner_rights_view_would_bypass_it() {
        var dsl = fixture.dsl();
        dsl.execute("CREATE VIEW visit_log_as_owner AS SELECT * FROM page_visits");
        dsl.execute("ALTER VIEW visit_log_as_owner OWNER TO " + fixture.vista.getUsername());
        dsl.execute("GRANT SELECT ON visit_log_as_owner TO " + fixture.restricted);
        try {
            var reports = Reports.of(fixture.vista, Duration.ofSeconds(5));
            var alice = reports.as(Caller.as(fixture.restricted, "{\"sub\":\"1\"}"));
            int own = alice.read(t -> t.fetchCount(org.jooq.impl.DSL.table("visit_log")));
            assertThat(own).isEqualTo(3);
            // PostgreSQL's default: the view reads page_visits as its owner, and the owner is not subject to the policy
            int throughOwner = alice.read(t -> t.fetchCount(org.jooq.impl.DSL.table("visit_log_as_owner")));
            assertThat(throughOwner).isEqualTo(dsl.fetchCount(dsl.selectFrom("page_visits")));
            assertThat(dsl.resultQuery("SELECT reloptions::text FROM pg_class WHERE relname = 'visit_log'").fetchOne(0, String.class))
                    .isEqualTo("{security_invoker=true}");
        } finally {
            dsl.execute("DROP VIEW visit_log_as_owner");
        }
    }

    @Test
    void a_read_as_a_role_runs_as_that_role_with_its_claims_and_the_statement_timeout_and_leaves_the_connection_as_it_was() {
        var reports = Reports.of(fixture.vista, Duration.ofMillis(1500));
        var claims = "{\"sub\":\"2\",\"role\":\"" + fixture.restricted + "\"}";
        var session = reports.as(Caller.as(fixture.restricted, claims)).read(t -> t.resultQuery(
                "SELECT current_user, current_setting('statement_timeout'), current_setting('request.jwt.claims'), current_setting('transaction_read_only')")
                .fetchOne().intoList());
        assertThat(session).containsExactly(fixture.restricted, "1500ms", claims, "on");
        var after = reports.read(t -> t.resultQuery("SELECT current_user, current_setting('request.jwt.claims', true)").fetchOne().intoList());
        assertThat(after.get(0)).isEqualTo(fixture.vista.getUsername());
        assertThat(after.get(1)).isIn(null, "");
        var timedOut = org.assertj.core.api.Assertions.catchThrowableOfType(org.jooq.exception.DataAccessException.class,
                () -> reports.as(Caller.as(fixture.analyst, "{}")).read(t -> t.resultQuery("SELECT pg_sleep(3)").fetch()));
        assertThat(timedOut.sqlState()).isEqualTo("57014");
    }

    @Test
    void rows_read_as_a_role_on_preset_sessions_come_in_one_message_as_that_role_and_leave_the_connection_as_it_was() throws Exception {
        var primary = new HikariDataSource();
        primary.setJdbcUrl(fixture.vista.getJdbcUrl());
        primary.setUsername(fixture.vista.getUsername());
        primary.setPassword(fixture.vista.getPassword());
        primary.setMaximumPoolSize(1); // one connection: every read below runs on the one the role's read used
        primary.setPoolName("access-one-reader");
        primary.addDataSourceProperty("ApplicationName", "access-one-reader");
        try (primary; var sessions = ReadSessions.beside(primary, Duration.ofMillis(1500))) {
            var claims = "{\"sub\":\"2\",\"role\":\"" + fixture.restricted + "\"}";
            var session = sessions.as(Caller.as(fixture.restricted, claims)).rows(ReadSessions.Answer.NONE,
                    "SELECT current_user, current_setting('statement_timeout'), current_setting('request.jwt.claims'), current_setting('transaction_read_only'), ?::int",
                    List.of(7), AccessTest::firstRow);
            assertThat(session).containsExactly(fixture.restricted, "1500ms", claims, "on", "7");
            // the query was the session's last statement: no COMMIT came after it, nor a BEGIN before its set-up
            assertThat(fixture.dsl().resultQuery("SELECT query FROM pg_stat_activity WHERE application_name = 'access-one-reader'").fetchOne(0, String.class))
                    .isEqualToIgnoringWhitespace("SELECT current_user, current_setting('statement_timeout'), current_setting('request.jwt.claims'), "
                            + "current_setting('transaction_read_only'), $1::int");
            // the policy of page_visits reads the claims: user 2's visits only, as in the same read through a transaction
            var visits = sessions.as(Caller.as(fixture.restricted, claims)).rows(ReadSessions.Answer.NONE,
                    "SELECT visit_id FROM visit_log WHERE visit_id > ? ORDER BY visit_id", List.of(0L), AccessTest::visitIds);
            assertThat(visits).isNotEmpty().containsExactlyElementsOf(fixture.dsl().resultQuery(
                    "SELECT id FROM page_visits WHERE user_id = 2 ORDER BY id").fetch(0, Long.class));
            var after = sessions.rows(ReadSessions.Answer.NONE, "SELECT current_user, current_setting('request.jwt.claims', true)", List.of(),
                    AccessTest::firstRow);
            assertThat(after.get(0)).isEqualTo(fixture.vista.getUsername());
            assertThat(after.get(1)).isIn(null, "");
            // refusals as a transaction tells them: a role the connection may not become is the token's fault, a
            // relation the role may not read is PostgreSQL's permission error
            assertThatThrownBy(() -> sessions.as(Caller.as(fixture.outsider, "{}")).rows(ReadSessions.Answer.NONE,
                    "SELECT 1 WHERE ? = 1", List.of(1), rows -> rows.next()))
                    .isInstanceOf(InvalidTokenException.class);
            assertThatThrownBy(() -> sessions.as(Caller.as(fixture.restricted, claims)).rows(ReadSessions.Answer.NONE,
                    "SELECT count(*) FROM visits_summary_mv WHERE user_id > ?", List.of(0), rows -> rows.next()))
                    .isInstanceOfSatisfying(DataAccessException.class, e -> assertThat(e.sqlState()).isEqualTo("42501"));
            var timedOut = catchThrowableOfType(DataAccessException.class, () -> sessions.as(Caller.as(fixture.analyst, "{}"))
                    .rows(ReadSessions.Answer.NONE, "SELECT pg_sleep(?)", List.of(3), rows -> rows.next()));
            assertThat(timedOut.sqlState()).isEqualTo("57014");
            assertThat(sessions.rows(ReadSessions.Answer.NONE, "SELECT current_user WHERE ? = 1", List.of(1), AccessTest::firstRow))
                    .containsExactly(fixture.vista.getUsername());
        }
    }

    @Test
    void rows_read_on_a_callers_data_source_come_in_one_message_read_only_with_the_timeout_and_as_the_role() {
        var sessions = ReadSessions.on(fixture.vista, Duration.ofMillis(1500));
        var claims = "{\"sub\":\"3\",\"role\":\"" + fixture.restricted + "\"}";
        var settings = "SELECT current_user, current_setting('statement_timeout'), current_setting('transaction_read_only'), "
                + "current_setting('request.jwt.claims', true), pg_backend_pid() WHERE ? = 1";
        var own = sessions.rows(ReadSessions.Answer.NONE, settings, List.of(1), AccessTest::firstRow);
        assertThat(own.subList(0, 3)).containsExactly(fixture.vista.getUsername(), "1500ms", "on");
        // no COMMIT after the query: the session's last statement was the query itself
        assertThat(fixture.dsl().resultQuery("SELECT query FROM pg_stat_activity WHERE pid = ?", Integer.parseInt(own.get(4))).fetchOne(0, String.class))
                .isEqualToIgnoringWhitespace(settings.replace("?", "$1"));
        assertThat(sessions.as(Caller.as(fixture.restricted, claims)).rows(ReadSessions.Answer.NONE, settings, List.of(1), AccessTest::firstRow).subList(0, 4))
                .containsExactly(fixture.restricted, "1500ms", "on", claims);
        var written = catchThrowableOfType(DataAccessException.class, () -> sessions.rows(ReadSessions.Answer.NONE,
                "WITH gone AS (DELETE FROM users WHERE id = ? RETURNING id) SELECT id FROM gone", List.of(1L), AccessTest::firstRow));
        assertThat(written.sqlState()).isEqualTo("25006"); // read_only_sql_transaction
        assertThat(fixture.dsl().fetchCount(fixture.dsl().selectFrom("users").where("id = 1"))).isEqualTo(1);
        var timedOut = catchThrowableOfType(DataAccessException.class, () -> sessions.as(Caller.as(fixture.analyst, "{}"))
                .rows(ReadSessions.Answer.NONE, "SELECT pg_sleep(?)", List.of(3), AccessTest::firstRow));
        assertThat(timedOut.sqlState()).isEqualTo("57014");
    }

    /** The first row's values as text. */
    private static List<String> firstRow(java.sql.ResultSet rows) throws java.sql.SQLException {
        var values = new ArrayList<String>();
        if (rows.next()) {
            for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                values.add(rows.getString(i));
            }
        }
        return values;
    }

    private static List<Long> visitIds(java.sql.ResultSet rows) throws java.sql.SQLException {
        var ids = new ArrayList<Long>();
        while (rows.next()) {
            ids.add(rows.getLong(1));
        }
        return ids;
    }

    @Test
    void a_readers_token_gets_403_on_the_admin_endpoints_while_an_admin_role_and_the_admin_token_may_refresh() {
        TestApp.serve(config, fixture.vista, (server, client) -> {
            var refused = client.post("/api/admin/views/section_daily/refresh", "", as(fixture.restricted, "1"));
            assertThat(refused.code()).isEqualTo(403);
            assertThat(JSON.readTree(refused.body().string()).get("message").asText())
                    .isEqualTo("role " + fixture.restricted + " may not use the admin endpoints");
            assertThat(client.post("/api/admin/views/section_daily/refresh", "", as(fixture.analyst, null)).code()).isEqualTo(200);
            assertThat(client.post("/api/admin/views/section_daily/refresh", "",
                    r -> r.header("Authorization", "Bearer " + AccessFixture.ADMIN_TOKEN)).code()).isEqualTo(200);
            var none = client.post("/api/admin/views/section_daily/refresh", "");
            assertThat(none.code()).isEqualTo(401);
            assertThat(none.headers().get("WWW-Authenticate").getFirst()).isEqualTo("Bearer realm=\"vista\"");
        });
    }

    @Test
    void pages_show_only_what_the_role_may_read_by_token_or_by_the_sign_in_cookie() {
        TestApp.serve(config, fixture.vista, (server, client) -> {
            var catalogue = org.jsoup.Jsoup.parse(client.get("/").body().string());
            assertThat(catalogue.select(".catalogue .meta code").eachText()).containsExactly("section_daily", "visits_summary", "visits_summary_mv");
            var absent = client.get("/reports/visit_log");
            assertThat(absent.code()).isEqualTo(404);
            assertThat(absent.headers().get("Content-Type").getFirst()).startsWith("text/html");

            var token = fixture.token(fixture.restricted, "2");
            Consumer<Request.Builder> cookie = r -> r.header("Cookie", "vista_token=" + token);
            var page = org.jsoup.Jsoup.parse(client.get("/reports/visit_log", cookie).body().string());
            var ids = page.select("table.rows tbody tr td:first-child").eachText().stream().map(Long::parseLong).toList();
            assertThat(ids).isNotEmpty().containsExactlyElementsOf(longs(json(client, "/api/reports/visit_log", cookie), "visit_id"));
            assertThat(page.select("table.rows tbody tr td:nth-child(5)").eachText()).allMatch(userId -> userId.equals("2"));
            assertThat(page.select("section.facet[aria-labelledby=facet-username] li")).hasSize(1);
            var compare = org.jsoup.Jsoup.parse(client.get("/reports/visits_summary/compare").body().string());
            assertThat(compare.select(".source h2").eachText()).containsExactly("view", "materialized", "groupby");
            assertThat(compare.selectFirst("section.source:has(h2:contains(groupby)) .cost").text()).startsWith("Not run");
            assertThat(compare.select("table.bars tbody th").eachText()).containsExactly("view", "materialized");
        });
    }

    @Test
    void signing_in_sets_an_http_only_same_site_cookie_that_authenticates_reads_but_never_a_state_change() {
        TestApp.serve(config, fixture.vista, (server, client) -> {
            var token = fixture.token(fixture.analyst, null);
            var login = login(client, token);
            assertThat(login.code()).isEqualTo(200);
            assertThat(login.headers().get("Set-Cookie").getFirst()).isEqualTo("vista_token=" + token + "; Path=/; HttpOnly; SameSite=Strict");
            assertThat(JSON.readTree(login.body().string()).get("role").asText()).isEqualTo(fixture.analyst);

            Consumer<Request.Builder> cookie = r -> r.header("Cookie", "vista_token=" + token);
            assertThat(names(json(client, "/api/reports", cookie))).containsExactlyElementsOf(every());
            // the cookie alone never authenticates a request that changes something (CSRF)
            assertThat(client.post("/api/admin/views/section_daily/refresh", "", cookie).code()).isEqualTo(401);

            var browser = login(client, token, "Accept", "text/html", "X-Forwarded-Proto", "https");
            assertThat(browser.code()).isEqualTo(303);
            assertThat(browser.headers().get("Location").getFirst()).isEqualTo("/");
            assertThat(browser.headers().get("Set-Cookie").getFirst()).doesNotContain("Secure"); // the proxy is not trusted

            var crossSite = login(client, token, "Origin", "http://elsewhere.example");
            assertThat(crossSite.code()).isEqualTo(403);
            assertThat(crossSite.headers().get("Set-Cookie")).isNull();

            var bad = login(client, "not-a-token");
            assertThat(bad.code()).isEqualTo(401);
            assertThat(bad.headers().get("Set-Cookie")).isNull();

            var logout = client.post("/logout", "");
            assertThat(logout.code()).isEqualTo(200);
            assertThat(logout.headers().get("Set-Cookie").getFirst()).isEqualTo("vista_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        });
        TestApp.serve(fixture.config("VISTA_TRUST_PROXY", "true"), fixture.vista, (server, client) -> {
            var behindProxy = login(client, fixture.token(fixture.analyst, null), "X-Forwarded-Proto", "https");
            assertThat(behindProxy.headers().get("Set-Cookie").getFirst()).endsWith("; HttpOnly; SameSite=Strict; Secure");
        });
    }

    @Test
    void without_a_token_or_an_anonymous_role_a_request_is_a_401_with_a_bearer_challenge() {
        TestApp.serve(fixture.config("VISTA_ANON_ROLE", null), fixture.vista, (server, client) -> {
            var response = client.get("/api/reports");
            assertThat(response.code()).isEqualTo(401);
            assertThat(response.headers().get("WWW-Authenticate").getFirst()).isEqualTo("Bearer realm=\"vista\"");
            assertThat(JSON.readTree(response.body().string()).get("code").asText()).isEqualTo("unauthorized");
            assertThat(client.get("/health").code()).isEqualTo(200);
            assertThat(names(json(client, "/api/reports", as(fixture.restricted, "1")))).containsExactly("visit_log");
        });
    }
}
