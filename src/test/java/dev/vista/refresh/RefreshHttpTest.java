package dev.vista.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.vista.Vista;
import dev.vista.config.Config;
import dev.vista.testing.TestApp;
import dev.vista.testing.TestDatabase;
import io.javalin.testtools.JavalinTest;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Refresh and freshness over HTTP: the admin endpoint and its errors, GET /api/views, and freshness on reports. */
class RefreshHttpTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "test-admin-token";
    static HikariDataSource dataSource;
    static DSLContext dsl;
    static Config config = Config.fromEnvironment(Map.of("VISTA_ADMIN_TOKEN", TOKEN));

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.migrated("refresh_http");
        dsl = TestDatabase.dsl(dataSource);
        TestDatabase.demoData(dataSource).seedIfEmpty();
        dsl.execute("""
                CREATE MATERIALIZED VIEW no_key AS SELECT section, count(*) AS visits FROM page_visits GROUP BY section;
                CREATE MATERIALIZED VIEW empty_yet AS SELECT section FROM page_visits GROUP BY section WITH NO DATA;
                CREATE UNIQUE INDEX ON empty_yet (section);
                """);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void refreshing_needs_the_admin_token_compared_as_a_whole() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var missing = client.post("/api/admin/views/section_daily/refresh", "");
            assertThat(missing.code()).isEqualTo(401);
            assertThat(header(missing, "WWW-Authenticate")).isEqualTo("Bearer realm=\"vista\"");
            assertThat(missing.body().string()).isEqualTo("{\"code\":\"unauthorized\",\"message\":\"this endpoint needs the admin token\","
                    + "\"details\":null,\"hint\":\"send 'Authorization: Bearer <VISTA_ADMIN_TOKEN>'\"}");
            for (var wrong : new String[] {"Bearer wrong", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1), "Basic " + TOKEN, TOKEN}) {
                var response = client.post("/api/admin/views/section_daily/refresh", "", req -> req.header("Authorization", wrong));
                assertThat(response.code()).as(wrong).isEqualTo(401);
                assertThat(JSON.readTree(response.body().string()).get("code").asText()).isEqualTo("unauthorized");
            }
            assertThat(dsl.fetchCount(dsl.selectFrom("refresh_history").where("trigger = 'http'"))).isZero();
        });
    }

    @Test
    void a_refresh_over_http_answers_what_was_refreshed_and_api_views_shows_it() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var response = client.post("/api/admin/views/section_daily/refresh?concurrently=true", "", this::admin);
            assertThat(response.code()).isEqualTo(200);
            var refreshed = JSON.readTree(response.body().string()).get("refreshed");
            assertThat(refreshed).hasSize(1);
            var result = refreshed.get(0);
            assertThat(result.get("view").asText()).isEqualTo("section_daily");
            assertThat(result.get("mode").asText()).isEqualTo("concurrent");
            assertThat(result.get("trigger").asText()).isEqualTo("http");
            assertThat(result.get("rows").asLong()).isEqualTo(dsl.fetchCount(dsl.selectFrom("section_daily")));
            assertThat(result.get("watermark").asLong()).isEqualTo(dsl.resultQuery("SELECT max(id) FROM page_visits").fetchOne(0, Long.class));

            var views = JSON.readTree(client.get("/api/views").body().string());
            var sectionDaily = find(views, "section_daily");
            assertThat(sectionDaily.get("kind").asText()).isEqualTo("materialized_view");
            assertThat(sectionDaily.get("populated").asBoolean()).isTrue();
            assertThat(sectionDaily.get("concurrent_refresh").asBoolean()).isTrue();
            assertThat(sectionDaily.get("refresh_every").asText()).isEqualTo("15m");
            assertThat(sectionDaily.get("realtime").asBoolean()).isTrue();
            assertThat(sectionDaily.get("age_seconds").asLong()).isBetween(0L, 60L);
            var last = sectionDaily.get("last_refresh");
            assertThat(last.get("status").asText()).isEqualTo("succeeded");
            assertThat(last.get("trigger").asText()).isEqualTo("http");
            assertThat(last.get("mode").asText()).isEqualTo("concurrent");
            assertThat(last.get("rows").asLong()).isEqualTo(result.get("rows").asLong());
            assertThat(last.get("duration_ms").asLong()).isEqualTo(result.get("duration_ms").asLong());
            assertThat(last.get("started_at").asText()).isNotBlank();
            assertThat(last.get("finished_at").asText()).isNotBlank();
            assertThat(last.get("error").isNull()).isTrue();
            assertThat(find(views, "section_daily_incremental").get("kind").asText()).isEqualTo("incremental");
            assertThat(find(views, "no_key").get("concurrent_refresh").asBoolean()).isFalse();
            assertThat(find(views, "empty_yet").get("populated").asBoolean()).isFalse();
            assertThat(views.findValuesAsText("name")).doesNotContain("visits_summary", "daily_totals");
        });
    }

    @Test
    void refusals_have_their_status_and_say_why() {
        TestApp.serve(config, dataSource, (server, client) -> {
            var unknown = client.post("/api/admin/views/nope/refresh", "", this::admin);
            assertThat(unknown.code()).isEqualTo(404);
            assertThat(unknown.body().string()).isEqualTo("{\"code\":\"unknown_view\",\"message\":\"no materialized view or incremental aggregate named 'nope'\","
                    + "\"details\":{\"view\":\"nope\"},\"hint\":\"GET /api/views lists them\"}");

            var plainView = client.post("/api/admin/views/visits_summary/refresh", "", this::admin);
            assertThat(plainView.code()).isEqualTo(400);
            assertThat(JSON.readTree(plainView.body().string()).get("code").asText()).isEqualTo("not_materialized");

            var noKey = client.post("/api/admin/views/no_key/refresh?concurrently=true", "", this::admin);
            assertThat(noKey.code()).isEqualTo(400);
            var noKeyBody = JSON.readTree(noKey.body().string());
            assertThat(noKeyBody.get("code").asText()).isEqualTo("concurrent_refresh_impossible");
            assertThat(noKeyBody.get("message").asText()).isEqualTo("no_key has no unique index on plain column names without a WHERE clause,"
                    + " which REFRESH ... CONCURRENTLY needs");

            var notPopulated = client.post("/api/admin/views/empty_yet/refresh?concurrently=true", "", this::admin);
            assertThat(notPopulated.code()).isEqualTo(409);
            assertThat(JSON.readTree(notPopulated.body().string()).get("code").asText()).isEqualTo("not_populated");

            var fallback = client.post("/api/admin/views/no_key/refresh?concurrently=true&fallback=true", "", this::admin);
            assertThat(fallback.code()).isEqualTo(200);
            var result = JSON.readTree(fallback.body().string()).get("refreshed").get(0);
            assertThat(result.get("mode").asText()).isEqualTo("plain");
            assertThat(result.get("note").asText()).endsWith("refreshed without CONCURRENTLY");

            var badFlag = client.post("/api/admin/views/no_key/refresh?concurrently=maybe", "", this::admin);
            assertThat(badFlag.code()).isEqualTo(400);
        });
    }

    @Test
    void stopping_vista_cancels_an_admin_refresh_that_is_running_and_records_why() throws Exception {
        var vista = Vista.over(config, dataSource);
        try (var reader = RefreshTesting.readingInOpenTransaction(dataSource, "no_key")) {
            JavalinTest.test(vista.app(), (server, client) -> {
                var refreshing = CompletableFuture.supplyAsync(() -> client.post("/api/admin/views/no_key/refresh", "", this::admin));
                RefreshTesting.awaitWaitingOnLock(dsl, "vista refresh no_key (http)", "relation");

                vista.close();

                var response = refreshing.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(response.code()).isEqualTo(503);
                assertThat(JSON.readTree(response.body().string()).get("code").asText()).isEqualTo("refresh_cancelled");
            });
            reader.commit();
        }
        var recorded = dsl.selectFrom(dev.vista.generated.Tables.REFRESH_HISTORY)
                .where(dev.vista.generated.Tables.REFRESH_HISTORY.VIEW_NAME.eq("no_key"))
                .orderBy(dev.vista.generated.Tables.REFRESH_HISTORY.ID.desc()).limit(1).fetchOne();
        assertThat(recorded.getTrigger()).isEqualTo("http");
        assertThat(recorded.getStatus()).isEqualTo("failed");
        assertThat(recorded.getError()).isEqualTo("cancelled: Vista is stopping");
        assertThat(RefreshLock.holder(dsl, "no_key")).as("the cancelled refresh released its lock").isEmpty();
    }

    @Test
    void stored_answers_carry_an_etag_that_turns_a_repeated_request_into_a_304_until_the_next_refresh() {
        TestApp.serve(config, dataSource, (server, client) -> {
            client.post("/api/admin/views/section_daily/refresh", "", this::admin);
            var first = client.get("/api/reports/section_daily?section=eq.index");
            var etag = header(first, "ETag");
            assertThat(etag).matches("\"[0-9a-f]+\\.[0-9a-f]+-[0-9a-f]{32}\""); // the refresh's moment, then the query's digest
            assertThat(header(first, "Cache-Control")).isEqualTo("no-cache");
            var body = first.body().string();
            assertThat(body).startsWith("[{");

            var again = client.get("/api/reports/section_daily?section=eq.index", req -> req.header("If-None-Match", etag));
            assertThat(again.code()).isEqualTo(304);
            assertThat(again.body().string()).isEmpty();
            assertThat(header(again, "ETag")).isEqualTo(etag);
            assertThat(header(again, "Content-Type")).as("nothing describes the content a 304 does not have").isNull();
            assertThat(header(again, "Content-Length")).as("RFC 9110 8.6: only the 200's own length, which a 304 does not know").isNull();
            var since = client.get("/api/reports/section_daily?section=eq.index", req -> req.header("If-Modified-Since", header(first, "Last-Modified")));
            assertThat(since.code()).isEqualTo(304);
            assertThat(header(since, "Content-Length")).isNull();

            // another query, another format: another tag
            assertThat(header(client.get("/api/reports/section_daily?section=eq.settings"), "ETag")).isNotEqualTo(etag);
            assertThat(header(client.get("/api/reports/section_daily.csv?section=eq.index"), "ETag")).isNotEqualTo(etag);

            // a refresh changes the rows' moment, so the old tag no longer matches
            client.post("/api/admin/views/section_daily/refresh", "", this::admin);
            var refreshed = client.get("/api/reports/section_daily?section=eq.index", req -> req.header("If-None-Match", etag));
            assertThat(refreshed.code()).isEqualTo(200);
            assertThat(header(refreshed, "ETag")).isNotEqualTo(etag);
            assertThat(refreshed.body().string()).isEqualTo(body);

            // rows computed on every request have no validator
            assertThat(client.get("/api/reports/user_stats?limit=1").headers().get("ETag")).isNull();
            assertThat(client.get("/api/reports/section_daily?realtime=true&limit=1").headers().get("ETag")).isNull();
        });
    }

    @Test
    void a_stored_report_page_carries_validators_too_and_shows_the_moment_they_name() {
        TestApp.serve(config, dataSource, (server, client) -> {
            client.post("/api/admin/views/section_daily/refresh", "", this::admin);
            var path = "/reports/section_daily?section=eq.index";
            var first = client.get(path);
            var etag = header(first, "ETag");
            assertThat(etag).matches("\"[0-9a-f]+\\.[0-9a-f]+-[0-9a-f]{32}\"");
            assertThat(header(first, "Cache-Control")).isEqualTo("private, no-cache");
            assertThat(header(first, "Vary")).isEqualTo("Cookie, Authorization");
            var body = first.body().string();
            // the header shows the refresh as the moment Last-Modified names (the page's script makes it an age)
            var moment = org.jsoup.Jsoup.parse(body).selectFirst(".freshness time[data-age]");
            var lastModified = ZonedDateTime.parse(header(first, "Last-Modified"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertThat(Instant.parse(moment.attr("datetime")).getEpochSecond()).isEqualTo(lastModified.getEpochSecond());
            assertThat(moment.text()).isEqualTo(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC).format(lastModified));

            var again = client.get(path, req -> req.header("If-None-Match", etag));
            assertThat(again.code()).isEqualTo(304);
            assertThat(again.body().string()).isEmpty();
            assertThat(header(again, "Cache-Control")).isEqualTo("private, no-cache");
            assertThat(client.get(path).body().string()).as("the same bytes until the next refresh").isEqualTo(body);

            // another filter, or the JSON of the same query: another tag
            assertThat(header(client.get("/reports/section_daily?section=eq.settings"), "ETag")).isNotNull().isNotEqualTo(etag);
            assertThat(header(client.get("/api/reports/section_daily?section=eq.index"), "ETag")).isNotNull().isNotEqualTo(etag);

            client.post("/api/admin/views/section_daily/refresh", "", this::admin);
            var refreshed = client.get(path, req -> req.header("If-None-Match", etag));
            assertThat(refreshed.code()).isEqualTo(200);
            assertThat(header(refreshed, "ETag")).isNotNull().isNotEqualTo(etag);
            assertThat(org.jsoup.Jsoup.parse(refreshed.body().string()).selectFirst(".freshness time").attr("datetime"))
                    .isNotEqualTo(moment.attr("datetime"));

            // pages computed on every request have none
            var live = client.get("/reports/user_stats");
            assertThat(live.code()).isEqualTo(200);
            assertThat(header(live, "ETag")).isNull();
            assertThat(header(live, "Last-Modified")).isNull();
            assertThat(header(client.get("/reports/section_daily?realtime=true"), "ETag")).isNull();
            // nor does an error found once the rows are read, though the validators were set before
            var notOne = client.get("/api/reports/section_daily", req -> req.header("Accept", "application/vnd.pgrst.object+json"));
            assertThat(notOne.code()).isEqualTo(406);
            assertThat(header(notOne, "ETag")).isNull();
            assertThat(header(notOne, "Last-Modified")).isNull();
        });
    }

    @Test
    void a_page_with_a_part_cut_off_by_its_time_box_carries_no_validator() {
        var hasty = Config.fromEnvironment(Map.of("VISTA_ADMIN_TOKEN", TOKEN, "VISTA_FACET_TIMEOUT", "1ms", "VISTA_CHART_TIMEOUT", "1ms"));
        TestApp.serve(hasty, dataSource, (server, client) -> {
            client.post("/api/admin/views/visits_summary_mv/refresh", "", this::admin);
            var page = client.get("/reports/visits_summary_mv");
            var body = page.body().string();
            assertThat(page.code()).isEqualTo(200);
            assertThat(body).contains("took longer than");
            assertThat(header(page, "ETag")).isNull();
            assertThat(header(page, "Last-Modified")).isNull();
            // the API's rows are whole whatever the page's parts took
            assertThat(header(client.get("/api/reports/visits_summary_mv"), "ETag")).isNotNull();
        });
    }

    @Test
    void a_refresh_already_running_is_a_409_naming_who_holds_it() throws Exception {
        var refresher = RefreshTesting.refresher(dataSource);
        try (var reader = RefreshTesting.readingInOpenTransaction(dataSource, "no_key")) {
            var running = CompletableFuture.supplyAsync(() -> refresher.refresh(RefreshRequest.of("no_key").by(Trigger.schedule)));
            var pid = RefreshTesting.awaitWaitingOnLock(dsl, "vista refresh no_key (schedule)", "relation");
            TestApp.serve(config, dataSource, (server, client) -> {
                var response = client.post("/api/admin/views/no_key/refresh", "", this::admin);
                assertThat(response.code()).isEqualTo(409);
                var body = JSON.readTree(response.body().string());
                assertThat(body.get("code").asText()).isEqualTo("refresh_running");
                assertThat(body.get("hint").asText()).isEqualTo("add wait=true to wait for it and refresh after it");
                var holder = body.get("details").get("running");
                assertThat(holder.get("pid").asInt()).isEqualTo(pid);
                assertThat(holder.get("application_name").asText()).isEqualTo("vista refresh no_key (schedule)");
                assertThat(holder.get("trigger").asText()).isEqualTo("schedule");
                assertThat(holder.get("started_at").asText()).isNotBlank();
            });
            reader.commit();
            running.get();
        }
    }

    @Test
    void rows_from_a_materialized_view_carry_last_modified_and_their_age_and_realtime_rows_are_age_zero() {
        TestApp.serve(config, dataSource, (server, client) -> {
            client.post("/api/admin/views/section_daily/refresh", "", this::admin);
            var finished = dsl.resultQuery("""
                    SELECT finished_at FROM refresh_history WHERE view_name = 'section_daily' AND status = 'succeeded' ORDER BY id DESC LIMIT 1
                    """).fetchOne(0, java.time.OffsetDateTime.class);

            var response = client.get("/api/reports/section_daily");
            assertThat(response.code()).isEqualTo(200);
            var lastModified = header(response, "Last-Modified");
            assertThat(lastModified).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            assertThat(ZonedDateTime.parse(lastModified, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                    .isEqualTo(finished.toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            assertThat(Long.parseLong(header(response, "X-Data-Age"))).isBetween(0L, 60L);

            var realtime = client.get("/api/reports/section_daily?realtime=true");
            assertThat(realtime.code()).isEqualTo(200);
            assertThat(header(realtime, "X-Data-Age")).isEqualTo("0");
            assertThat(ZonedDateTime.parse(header(realtime, "Last-Modified"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                    .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
            assertThat(JSON.readTree(realtime.body().string())).isEqualTo(JSON.readTree(response.body().string()));

            var plainView = client.get("/api/reports/visits_summary");
            assertThat(header(plainView, "Last-Modified")).isNull();
            assertThat(header(plainView, "X-Data-Age")).isNull();

            var unsupported = client.get("/api/reports/visits_summary?realtime=true");
            assertThat(unsupported.code()).isEqualTo(400);
            assertThat(JSON.readTree(unsupported.body().string()).get("code").asText()).isEqualTo("realtime_unsupported");
        });
    }

    @Test
    void the_catalogue_shows_the_freshness_of_materialized_reports_and_lists_the_incremental_aggregate() {
        TestApp.serve(config, dataSource, (server, client) -> {
            client.post("/api/admin/views/section_daily_incremental/refresh", "", this::admin);
            var reports = JSON.readTree(client.get("/api/reports").body().string());

            var incremental = find(reports, "section_daily_incremental");
            assertThat(incremental.get("title").asText()).isEqualTo("Sections per day (incremental)");
            var freshness = incremental.get("freshness");
            assertThat(freshness.get("incremental").asBoolean()).isTrue();
            assertThat(freshness.get("realtime").asBoolean()).isTrue();
            assertThat(freshness.get("refresh_every").asText()).isEqualTo("1m");
            assertThat(freshness.get("age_seconds").asLong()).isBetween(0L, 60L);
            assertThat(freshness.get("last_refreshed_at").asText()).isNotBlank();
            assertThat(find(reports, "visits_summary_mv").get("freshness").get("refresh_every").asText()).isEqualTo("5m");
            // the plain view's freshness is its materialized source's
            assertThat(find(reports, "visits_summary").get("freshness").get("relation").asText()).isEqualTo("visits_summary_mv");
            assertThat(find(reports, "user_stats").get("freshness").isNull()).isTrue();

            var rows = JSON.readTree(client.get("/api/reports/section_daily_incremental").body().string());
            assertThat(rows.size()).isEqualTo(Math.min(100, dsl.fetchCount(dsl.selectFrom("section_daily_incremental"))));
        });
    }

    void admin(io.javalin.testtools.Request.Builder request) {
        request.header("Authorization", "Bearer " + TOKEN);
    }

    /** The one value of a response header, or null. */
    static String header(io.javalin.testtools.Response response, String name) {
        var values = response.headers().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    static JsonNode find(JsonNode array, String name) {
        for (var node : array) {
            if (node.get("name").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError("no " + name + " in " + array);
    }
}
